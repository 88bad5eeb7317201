"""ML2 mechanism driver that binds every port, for a Neutron without agents (local cloud only).

Nova's fake hypervisor plugs nothing, so a binding that merely says "ovs, ACTIVE" is all a boot
needs. Never load this driver on a real cloud: it would claim ports no agent can wire.
"""

from neutron_lib import constants
from neutron_lib.api.definitions import portbindings
from neutron_lib.plugins.ml2 import api


class BindAllMechanismDriver(api.MechanismDriver):
    def initialize(self):
        pass

    def bind_port(self, context):
        for segment in context.segments_to_bind:
            context.set_binding(
                segment[api.ID],
                portbindings.VIF_TYPE_OVS,
                {portbindings.CAP_PORT_FILTER: True},
                status=constants.PORT_STATUS_ACTIVE,
            )
            return
