"""The OpenStack services' config files, as data (section -> option -> value), written 0600.

Only options that differ from upstream defaults are here, each for a reason the local cloud has:
one worker per service, everything on 127.0.0.1, fake hypervisor and volume backend, no agents.
"""

from __future__ import annotations

import configparser
import io
import shutil
from pathlib import Path

from civicloud.localcloud.credentials import Credentials, write_private
from civicloud.localcloud.layout import HOST, REGION, Layout

Config = dict[str, dict[str, str | int | bool]]

PORTS = {
    "mariadb": 3306,
    "rabbitmq": 5672,
    "keystone": 5000,
    "placement": 8778,
    "nova-api": 8774,
    "neutron-api": 9696,
    "glance-api": 9292,
    "cinder-api": 8776,
}
KEYSTONE_URL = f"http://{HOST}:{PORTS['keystone']}"
COMPUTE_HOST = "local-compute"
SERVICE_PROJECT = "service"
# The users the services authenticate as (Keystone's service users), one per service.
SERVICE_USERS = ["nova", "neutron", "glance", "cinder", "placement"]
DATABASES = [
    "keystone",
    "placement",
    "nova_api",
    "nova",
    "nova_cell0",
    "neutron",
    "glance",
    "cinder",
]
# The paste pipelines ship in the wheels' data files (venv/etc/<service>/) and are not found alone.
PASTE_FILES = {
    "nova": "api-paste.ini",
    "neutron": "api-paste.ini",
    "glance": "glance-api-paste.ini",
    "cinder": "api-paste.ini",
}


def database_url(creds: Credentials, name: str) -> str:
    return f"mysql+pymysql://openstack:{creds.database_password}@{HOST}:{PORTS['mariadb']}/{name}?charset=utf8"


def transport_url(creds: Credentials) -> str:
    return f"rabbit://openstack:{creds.rabbit_password}@{HOST}:{PORTS['rabbitmq']}/"


def _service_auth(creds: Credentials, user: str) -> dict[str, str | int | bool]:
    """A keystoneauth password section: how a service authenticates to another one."""
    return {
        "auth_type": "password",
        "auth_url": KEYSTONE_URL,
        "project_domain_name": "Default",
        "user_domain_name": "Default",
        "project_name": SERVICE_PROJECT,
        "username": user,
        "password": creds.service_password,
        "region_name": REGION,
    }


def _authtoken(creds: Credentials, user: str) -> dict[str, str | int | bool]:
    return {"www_authenticate_uri": KEYSTONE_URL, **_service_auth(creds, user)}


def _common(layout: Layout, service: str) -> Config:
    return {
        "DEFAULT": {"debug": False, "state_path": str(layout.data / service)},
        "oslo_concurrency": {"lock_path": str(layout.data / service / "locks")},
        "oslo_messaging_notifications": {"driver": "noop"},
    }


def keystone(layout: Layout, creds: Credentials) -> Config:
    keys = layout.data / "keystone"
    return {
        "database": {"connection": database_url(creds, "keystone")},
        "token": {"provider": "fernet"},
        "fernet_tokens": {"key_repository": str(keys / "fernet-keys")},
        "fernet_receipts": {"key_repository": str(keys / "fernet-keys")},
        "credential": {"key_repository": str(keys / "credential-keys")},
        # Without a cache every authenticated request costs ~400 ms of role lookups; the dict
        # backend is in-process, right for the single keystone process of the local cloud.
        "cache": {"enabled": True, "backend": "oslo_cache.dict", "expiration_time": 600},
        # bcrypt's default cost makes each user creation and login slow; local mode only.
        "identity": {"password_hash_rounds": 4},
    }


def placement(layout: Layout, creds: Credentials) -> Config:
    return {
        "placement_database": {"connection": database_url(creds, "placement")},
        "api": {"auth_strategy": "keystone"},
        "keystone_authtoken": _authtoken(creds, "placement"),
    }


def neutron(layout: Layout, creds: Credentials) -> Config:
    config = _common(layout, "neutron")
    config["DEFAULT"].update(
        {
            "core_plugin": "ml2",
            "service_plugins": "router",
            "auth_strategy": "keystone",
            "transport_url": transport_url(creds),
            "api_paste_config": str(layout.etc / "neutron" / PASTE_FILES["neutron"]),
            "api_workers": 1,
            "rpc_workers": 0,
            "rpc_state_report_workers": 0,
            # No agents: nothing would ever plug the port, so do not tell Nova about it either.
            "notify_nova_on_port_status_changes": False,
            "notify_nova_on_port_data_changes": False,
            "dhcp_agent_notification": False,
        }
    )
    config["database"] = {"connection": database_url(creds, "neutron")}
    config["keystone_authtoken"] = _authtoken(creds, "neutron")
    config["nova"] = _service_auth(creds, "nova")
    return config


def ml2(layout: Layout, creds: Credentials) -> Config:
    return {
        "ml2": {
            "type_drivers": "flat,vlan,vxlan",
            "tenant_network_types": "vxlan",
            "mechanism_drivers": "civicloud_bindall",
            "extension_drivers": "port_security",
        },
        "ml2_type_flat": {"flat_networks": "public"},
        "ml2_type_vlan": {"network_vlan_ranges": "public"},
        "ml2_type_vxlan": {"vni_ranges": "1:10000"},
    }


def glance(layout: Layout, creds: Credentials) -> Config:
    images = layout.data / "glance"
    config = _common(layout, "glance")
    config["DEFAULT"].update({"enabled_backends": "fs:file", "workers": 1})
    config.update(
        {
            "database": {"connection": database_url(creds, "glance")},
            "keystone_authtoken": _authtoken(creds, "glance"),
            "paste_deploy": {
                "flavor": "keystone",
                "config_file": str(layout.etc / "glance" / PASTE_FILES["glance"]),
            },
            "glance_store": {"default_backend": "fs"},
            "fs": {"filesystem_store_datadir": str(images / "images")},
            # reserved stores of the multi-store mode (image import staging and tasks)
            "os_glance_staging_store": {"filesystem_store_datadir": str(images / "staging")},
            "os_glance_tasks_store": {"filesystem_store_datadir": str(images / "tasks")},
        }
    )
    return config


def nova(layout: Layout, creds: Credentials) -> Config:
    config = _common(layout, "nova")
    config["DEFAULT"].update(
        {
            "transport_url": transport_url(creds),
            # the fake hypervisor with a stable node identity (compute_id file): restartable
            "compute_driver": "fake.FakeDriverWithoutFakeNodes",
            "host": COMPUTE_HOST,
            "my_ip": HOST,
            "osapi_compute_workers": 1,
            "metadata_workers": 1,
            "instances_path": str(layout.data / "nova" / "instances"),
            # periodic tasks (incl. host discovery) otherwise start after a random delay up to 60 s
            "periodic_fuzzy_delay": 0,
            # heartbeat every 5 s (default 10): `up` waits for the first one of nova-compute
            "report_interval": 5,
        }
    )
    config.update(
        {
            "api": {"auth_strategy": "keystone"},
            "api_database": {"connection": database_url(creds, "nova_api")},
            "database": {"connection": database_url(creds, "nova")},
            "keystone_authtoken": _authtoken(creds, "nova"),
            "service_user": {"send_service_user_token": True, **_service_auth(creds, "nova")},
            "placement": _service_auth(creds, "placement"),
            "neutron": _service_auth(creds, "neutron"),
            "glance": {"region_name": REGION},
            "cinder": {
                **_service_auth(creds, "cinder"),
                "os_region_name": REGION,
                "catalog_info": "block-storage:cinder:publicURL",
            },
            "scheduler": {"discover_hosts_in_cells_interval": 30, "workers": 1},
            "conductor": {"workers": 1},
            "vnc": {"enabled": False},
            "key_manager": _key_manager(creds, "nova.keymgr.conf_key_mgr.ConfKeyManager"),
        }
    )
    return config


def cinder_volumes_dir(layout: Layout) -> Path:
    """Where each volume's data lives: `volume-<id>`, `snapshot-<id>` (sparse files)."""
    return layout.data / "cinder-volumes"


def cinder(layout: Layout, creds: Credentials) -> Config:
    config = _common(layout, "cinder")
    config["DEFAULT"].update(
        {
            "transport_url": transport_url(creds),
            "auth_strategy": "keystone",
            "my_ip": HOST,
            "host": "local-volume",
            "enabled_backends": "fake",
            "osapi_volume_workers": 1,
            "api_paste_config": str(layout.etc / "cinder" / PASTE_FILES["cinder"]),
            # without it, a non-admin listing volumes by name gets "400 Invalid filters"
            "resource_query_filters_file": str(layout.etc / "cinder" / "resource_filters.json"),
            # the scheduler otherwise refuses to schedule for its first 60 s
            "scheduler_driver_init_wait_time": 1,
        }
    )
    config.update(
        {
            "database": {"connection": database_url(creds, "cinder")},
            "keystone_authtoken": _authtoken(creds, "cinder"),
            "nova": _service_auth(creds, "nova"),
            # Cinder's fake driver (no LVM, no iSCSI) with a sparse file of data per volume
            # (civicloud-filevolumes). Backend and pool keep the name "fake": volumes made
            # before still belong to this backend (host local-volume@fake#fake).
            "fake": {
                "volume_driver": "civicloud_filevolumes.FileVolumeDriver",
                "volume_backend_name": "fake",
                "civicloud_volumes_dir": str(cinder_volumes_dir(layout)),
            },
            "key_manager": _key_manager(creds, "cinder.keymgr.conf_key_mgr.ConfKeyManager"),
            # Privileged helpers (qemu-img image checks) without sudo, which is absent here:
            # the local cloud already runs as the user that owns its files.
            "cinder_sys_admin": {"helper_command": _privsep_helper(layout, "cinder")},
            "privsep_osbrick": {"helper_command": _privsep_helper(layout, "cinder")},
        }
    )
    return config


def _privsep_helper(layout: Layout, service: str) -> str:
    conf = layout.etc / service / f"{service}.conf"
    return f"{layout.bin('privsep-helper')} --config-file {conf}"


def _key_manager(creds: Credentials, backend: str) -> dict[str, str | int | bool]:
    # No Barbican in the local cloud: one fixed key, shared by Cinder (creates) and Nova (attaches).
    return {"backend": backend, "fixed_key": creds.fixed_key}


def render(config: Config) -> str:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keep option case
    for section, options in config.items():
        if section != "DEFAULT":
            parser.add_section(section)
        for option, value in options.items():
            parser.set(
                section, option, str(value).lower() if isinstance(value, bool) else str(value)
            )
    out = io.StringIO()
    parser.write(out)
    return out.getvalue()


# service directory under etc/ -> {file name: builder}
FILES = {
    "keystone": {"keystone.conf": keystone},
    "placement": {"placement.conf": placement},
    "neutron": {"neutron.conf": neutron, "plugins/ml2/ml2_conf.ini": ml2},
    "glance": {"glance-api.conf": glance},
    "nova": {"nova.conf": nova},
    "cinder": {"cinder.conf": cinder},
}


def write_all(layout: Layout, creds: Credentials) -> None:
    """Writes every service's config and copies the data files the wheels ship."""
    for service, files in FILES.items():
        for name, build in files.items():
            write_private(layout.etc / service / name, render(build(layout, creds)))
        (layout.data / service / "locks").mkdir(parents=True, exist_ok=True)
    for service, paste in PASTE_FILES.items():
        _copy_shipped(layout, service, paste)
    _copy_shipped(layout, "cinder", "resource_filters.json")


def _copy_shipped(layout: Layout, service: str, name: str) -> None:
    source = layout.os_venv / "etc" / service / name
    target: Path = layout.etc / service / name
    if not target.exists() or target.read_bytes() != source.read_bytes():
        shutil.copyfile(source, target)
