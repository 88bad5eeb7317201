"""The documents the policy gate evaluates: one per tenant, as plain JSON.

Shape (agreed with civicloud.policy): {"tenant": ..., "backends": {name: ...} (only those the
tenant uses), "syndicate": ... or None, "members": [tenants of the same syndicate, this one too]}.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from civicloud.spec.catalogue import Backend
from civicloud.spec.syndicate import Syndicate
from civicloud.spec.tenant import Tenant


def backends_used(tenant: Tenant) -> list[str]:
    return [part.backend for part in (tenant.compute, tenant.storage) if part is not None]


def policy_inputs(tenants: Sequence[Tenant], backends: dict[str, Backend],
                  syndicates: dict[str, Syndicate]) -> list[dict[str, Any]]:
    # Each document is dumped once and shared by every input that mentions it.
    dumps = [t.model_dump(mode="json") for t in tenants]
    backend_dumps: dict[str, Any] = {}
    members: dict[str, list[Any]] = defaultdict(list)
    for tenant, dump in zip(tenants, dumps, strict=True):
        if tenant.metadata.syndicate:
            members[tenant.metadata.syndicate].append(dump)
    syndicate_dumps = {name: s.model_dump(mode="json") for name, s in syndicates.items()}
    inputs = []
    for tenant, dump in zip(tenants, dumps, strict=True):
        used = {}
        for name in backends_used(tenant):
            if name not in backend_dumps:
                backend_dumps[name] = backends[name].model_dump(mode="json")
            used[name] = backend_dumps[name]
        syndicate = tenant.metadata.syndicate
        inputs.append({
            "tenant": dump,
            "backends": used,
            "syndicate": syndicate_dumps.get(syndicate) if syndicate else None,
            "members": members[syndicate] if syndicate else [dump],
        })
    return inputs
