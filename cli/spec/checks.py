"""What a schema can't say: names that must exist or be unique, subnets that must not overlap,
backends that must be in the catalogue and of the right kind."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from typing import Any

from pydantic import ValidationError

from civicloud.spec.catalogue import Backend
from civicloud.spec.countries import EEA_MEMBERS
from civicloud.spec.errors import Path, SpecError
from civicloud.spec.sourcemap import SourceMap
from civicloud.spec.syndicate import Syndicate
from civicloud.spec.tenant import Access, Compute, Storage, Tenant

BUILTIN_ROLES = ("admin", "member", "reader")


def duplicates(src: SourceMap, named: Iterable[tuple[Path, str]], what: str) -> list[SpecError]:
    """`named` is (path of the item, its name); the second use of a name is the error."""
    first: dict[str, Path] = {}
    errors = []
    for path, name in named:
        if name in first:
            line = src.line_of((*first[name], "name"))
            errors.append(src.error((*path, "name"), f"duplicate {what} name {name!r} "
                                                     f"(first declared on line {line})"))
        else:
            first[name] = path
    return errors


def _dangling(src: SourceMap, path: Path, name: str, what: str, known: Iterable[str]) -> SpecError:
    names = sorted(set(known))
    declared = f"declared: {', '.join(names)}" if names else "none is declared"
    return src.error(path, f"{what} {name!r} does not exist ({declared})")


def _compute_checks(c: Compute, src: SourceMap) -> list[SpecError]:
    base: Path = ("compute",)
    errors: list[SpecError] = []
    subnets = [((*base, "networks", i, "subnets", j), s)
               for i, n in enumerate(c.networks) for j, s in enumerate(n.subnets)]
    volumes = [((*base, "servers", i, "volumes", j), v.name)
               for i, s in enumerate(c.servers) for j, v in enumerate(s.volumes)]
    for key, what in (("networks", "network"), ("routers", "router"),
                      ("security_groups", "security group"), ("keypairs", "keypair"),
                      ("servers", "server")):
        items = getattr(c, key)
        errors += duplicates(src, [((*base, key, i), x.name) for i, x in enumerate(items)], what)
    errors += duplicates(src, [(p, s.name) for p, s in subnets], "subnet")
    errors += duplicates(src, volumes, "volume")

    # Overlapping subnets would make routing ambiguous (and Neutron refuses them on one router).
    seen: list[tuple[Path, ipaddress.IPv4Network | ipaddress.IPv6Network, str]] = []
    for path, subnet in subnets:
        net = ipaddress.ip_network(subnet.cidr)
        for other_path, other, other_name in seen:
            if net.version == other.version and net.overlaps(other):
                line = src.line_of(other_path)
                errors.append(src.error((*path, "cidr"), f"{subnet.cidr} overlaps subnet "
                                        f"{other_name!r} ({other}, line {line})"))
                break
        seen.append(((*path, "cidr"), net, subnet.name))
        if subnet.gateway and ipaddress.ip_address(subnet.gateway) not in net:
            errors.append(src.error((*path, "gateway"),
                                    f"gateway {subnet.gateway} is outside {subnet.cidr}"))

    subnet_names = [s.name for _, s in subnets]
    for i, router in enumerate(c.routers):
        for j, name in enumerate(router.subnets):
            if name not in subnet_names:
                errors.append(_dangling(src, (*base, "routers", i, "subnets", j), name,
                                        "subnet", subnet_names))
    group_names = [g.name for g in c.security_groups]
    for i, group in enumerate(c.security_groups):
        for j, rule in enumerate(group.rules):
            path = (*base, "security_groups", i, "rules", j)
            if rule.remote_group and rule.remote_group not in group_names:
                errors.append(_dangling(src, (*path, "remote_group"), rule.remote_group,
                                        "security group", group_names))
    networks = [n.name for n in c.networks]
    keypairs = [k.name for k in c.keypairs]
    for i, server in enumerate(c.servers):
        path = (*base, "servers", i)
        if server.network not in networks:
            errors.append(_dangling(src, (*path, "network"), server.network, "network", networks))
        for j, name in enumerate(server.security_groups):
            if name not in group_names:
                errors.append(_dangling(src, (*path, "security_groups", j), name,
                                        "security group", group_names))
        if server.keypair and server.keypair not in keypairs:
            errors.append(_dangling(src, (*path, "keypair"), server.keypair, "keypair", keypairs))
    return errors


def _storage_checks(storage: Storage, src: SourceMap) -> list[SpecError]:
    base: Path = ("storage", "buckets")
    buckets = storage.buckets
    errors = duplicates(src, [((*base, i), b.name) for i, b in enumerate(buckets)], "bucket")
    for i, bucket in enumerate(buckets):
        path = (*base, i)
        if bucket.kms_key and bucket.encryption != "sse-kms":
            errors.append(src.error((*path, "kms_key"), "kms_key is only used with "
                                    f"encryption: sse-kms (this bucket has {bucket.encryption})"))
        if bucket.key_ref and bucket.encryption != "sse-c":
            errors.append(src.error((*path, "key_ref"), "key_ref is only used with "
                                    f"encryption: sse-c (this bucket has {bucket.encryption})"))
        if bucket.object_lock and not bucket.versioning:
            errors.append(src.error((*path, "object_lock"),
                                    "object_lock needs versioning: true on the same bucket"))
        for j, rule in enumerate(bucket.lifecycle):
            if rule.expire_days is None and rule.noncurrent_expire_days is None:
                errors.append(src.error((*path, "lifecycle", j), "a lifecycle rule needs "
                                        "expire_days or noncurrent_expire_days"))
    return errors


def _access_checks(a: Access, src: SourceMap) -> list[SpecError]:
    errors = duplicates(src, [(("access", "users", i), u.name) for i, u in enumerate(a.users)],
                        "user")
    errors += duplicates(src, [(("access", "groups", i), g.name) for i, g in enumerate(a.groups)],
                         "group")
    errors += duplicates(src, [(("access", "roles", i), r.name) for i, r in enumerate(a.roles)],
                         "role")
    users = [u.name for u in a.users]
    roles = [*BUILTIN_ROLES, *(r.name for r in a.roles)]
    for key, items in (("users", a.users), ("groups", a.groups)):
        for i, item in enumerate(items):
            for j, role in enumerate(item.roles):
                if role not in roles:
                    errors.append(_dangling(src, ("access", key, i, "roles", j), role,
                                            "role", roles))
    for i, group in enumerate(a.groups):
        for j, member in enumerate(group.members):
            if member not in users:
                errors.append(_dangling(src, ("access", "groups", i, "members", j), member,
                                        "user", users))
    return errors


def _type_checks(t: Tenant, src: SourceMap) -> list[SpecError]:
    errors = []
    if t.type == "sandbox" and t.sandbox is None:
        errors.append(src.error(("type",), "a sandbox tenant needs a `sandbox:` section "
                                "(expires, budget_eur, owner)"))
    if t.type != "sandbox" and t.sandbox is not None:
        errors.append(src.error(("sandbox",), f"only a tenant of type sandbox has a `sandbox:` "
                                f"section (this one is {t.type})"))
    if t.type == "community" and t.compute is None:
        errors.append(src.error(("type",), "a community tenant needs a `compute:` section "
                                "(its project on the shared OpenStack)"))
    if t.type == "hybrid" and (t.compute is None or t.storage is None):
        errors.append(src.error(("type",), "a hybrid tenant needs both `compute:` (OpenStack) "
                                "and `storage:` (S3 at another provider)"))
    return errors


def _backend_check(section: str, name: str, src: SourceMap, backends: dict[str, Backend],
                   syndicate: Syndicate | None) -> list[SpecError]:
    path = (section, "backend")
    backend = backends.get(name)
    if backend is None:
        if not backends:
            return [src.error(path, f"backend {name!r} is not in the catalogue (the catalogue is "
                                    "empty: see --catalogue)")]
        return [_dangling(src, path, name, "backend", backends)]
    errors = []
    kind = SECTIONS[section][2]
    if backend.kind != kind:
        errors.append(src.error(path, f"{section} needs an {kind} backend, but {name!r} is of "
                                f"kind {backend.kind}"))
    if backend.status == "shutdown":
        errors.append(src.error(path, f"backend {name!r} is shut down: choose another one from "
                                "the catalogue"))
    elif backend.status == "deprecated":
        errors.append(src.error(path, f"backend {name!r} is deprecated: plan to move away from "
                                "it", "warning"))
    if syndicate and syndicate.backends is not None and name not in syndicate.backends:
        errors.append(src.error(path, f"syndicate {syndicate.metadata.name!r} allows only these "
                                f"backends: {', '.join(syndicate.backends)}"))
    return errors


# Each section of a tenant: its model, its own checks, and the kind of backend it names.
SECTIONS: dict[str, tuple[type, Callable[[Any, SourceMap], list[SpecError]], str | None]] = {
    "compute": (Compute, _compute_checks, "openstack"),
    "storage": (Storage, _storage_checks, "s3"),
    "access": (Access, _access_checks, None),
}


def _section_checks(section: str, part: Any, src: SourceMap, backends: dict[str, Backend],
                    syndicate: Syndicate | None) -> list[SpecError]:
    errors = SECTIONS[section][1](part, src)
    if SECTIONS[section][2]:
        errors += _backend_check(section, part.backend, src, backends, syndicate)
    return errors


def check_tenant(t: Tenant, src: SourceMap, backends: dict[str, Backend],
                 syndicates: dict[str, Syndicate]) -> list[SpecError]:
    syndicate = syndicates.get(t.metadata.syndicate or "")
    errors = _type_checks(t, src)
    for section in SECTIONS:
        part = getattr(t, section)
        if part is not None:
            errors += _section_checks(section, part, src, backends, syndicate)
    if t.type == "hybrid" and t.compute and t.storage:
        compute, storage = backends.get(t.compute.backend), backends.get(t.storage.backend)
        if compute and storage and compute.provider == storage.provider:
            errors.append(src.error(("storage", "backend"), "a hybrid tenant stores at another "
                                    f"provider than its compute ({compute.provider}): use type "
                                    "community for a single provider"))
    if t.metadata.syndicate and syndicate is None:
        errors.append(src.error(("metadata", "syndicate"), f"syndicate {t.metadata.syndicate!r} "
                                "was not given (no kind: Syndicate file names it): its quota "
                                "envelope is not checked", "warning"))
    return errors


def check_invalid_tenant(data: dict[str, Any], src: SourceMap,
                         backends: dict[str, Backend]) -> list[SpecError]:
    """A tenant with schema errors: check the references of its sections that are valid, so
    that the user gets all the errors of the file in one run."""
    errors: list[SpecError] = []
    for section, (model, _, _) in SECTIONS.items():
        raw = data.get(section)
        if not isinstance(raw, dict):
            continue
        try:
            part = model.model_validate(raw)
        except ValidationError:
            continue
        errors += _section_checks(section, part, src, backends, None)
    return errors


# Connection fields of each kind of backend: (required, optional).
_KIND_FIELDS = {"openstack": (("cloud",), ("external_network", "volume_type")),
                "s3": (("endpoint", "profile"), ("identity",))}


def check_backend(b: Backend, src: SourceMap, path: Path) -> list[SpecError]:
    errors = []
    required = _KIND_FIELDS[b.kind][0]
    for kind, (needed, optional) in _KIND_FIELDS.items():
        for key in needed + optional:
            value = getattr(b, key)
            if kind == b.kind and key in needed and value is None:
                errors.append(src.error((*path, key), f"a backend of kind {b.kind} needs "
                                        f"`{key}:`"))
            elif kind != b.kind and value is not None:
                errors.append(src.error((*path, key), f"`{key}:` is not used by a backend of "
                                        f"kind {b.kind} (it needs {' and '.join(required)})"))
    if b.eea != (b.country in EEA_MEMBERS):
        errors.append(src.error((*path, "eea"), f"eea: {str(b.eea).lower()} contradicts country "
                                f"{b.country} ({'in' if b.country in EEA_MEMBERS else 'outside'} "
                                "the EEA)"))
    return errors
