"""A stack's checkpoint, in Pulumi's deployment v3 shape (what `pulumi stack export` writes).

civicloud adds one top-level `civicloud` object (engine, serial); Pulumi's importer ignores
unknown top-level fields. Values are held in memory with secret markers in clear and are
sealed (encrypted) only when serialised.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from civicloud import __version__
from civicloud.engine.errors import StateCorrupt
from civicloud.engine.secrets import PassphraseCrypter, seal, unseal

STACK_TYPE = "pulumi:pulumi:Stack"
ENGINE_NAME = "embedded"


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class ResourceState:
    urn: str
    type: str
    custom: bool
    id: str | None = None
    inputs: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    parent: str | None = None
    dependencies: list[str] = field(default_factory=list)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    additional_secret_outputs: list[str] = field(default_factory=list)
    delete: bool = False  # replaced, waiting to be deleted (Pulumi's `delete: true`)
    created: str | None = None
    modified: str | None = None

    @property
    def name(self) -> str:
        return self.urn.rsplit("::", 1)[-1]

    def all_dependencies(self) -> set[str]:
        deps = set(self.dependencies)
        for urns in self.property_dependencies.values():
            deps.update(urns)
        if self.parent:
            deps.add(self.parent)
        return deps

    def replace(self, **changes: Any) -> ResourceState:
        return dataclasses.replace(self, **changes)


@dataclass
class PendingOperation:
    type: str  # creating | updating | deleting
    resource: ResourceState


@dataclass
class Checkpoint:
    stack: str
    resources: list[ResourceState] = field(default_factory=list)
    pending: list[PendingOperation] = field(default_factory=list)
    serial: int = 0
    engine: str = ENGINE_NAME

    def live(self) -> dict[str, ResourceState]:
        return {r.urn: r for r in self.resources if not r.delete}

    def stack_outputs(self) -> dict[str, Any]:
        return next((r.outputs for r in self.resources if r.type == STACK_TYPE), {})


def _resource_to_json(r: ResourceState, crypter: PassphraseCrypter) -> dict[str, Any]:
    doc: dict[str, Any] = {"urn": r.urn, "custom": r.custom, "type": r.type}
    if r.delete:
        doc["delete"] = True
    if r.id is not None:
        doc["id"] = r.id
    doc["inputs"] = seal(r.inputs, crypter)
    doc["outputs"] = seal(r.outputs, crypter)
    if r.parent:
        doc["parent"] = r.parent
    if r.dependencies:
        doc["dependencies"] = r.dependencies
    if r.property_dependencies:
        doc["propertyDependencies"] = r.property_dependencies
    if r.additional_secret_outputs:
        doc["additionalSecretOutputs"] = r.additional_secret_outputs
    if r.created:
        doc["created"] = r.created
    if r.modified:
        doc["modified"] = r.modified
    return doc


def _resource_from_json(doc: dict[str, Any], crypter: PassphraseCrypter | None) -> ResourceState:
    return ResourceState(
        urn=doc["urn"],
        type=doc["type"],
        custom=bool(doc.get("custom", False)),
        id=doc.get("id"),
        inputs=unseal(doc.get("inputs") or {}, crypter),
        outputs=unseal(doc.get("outputs") or {}, crypter),
        parent=doc.get("parent"),
        dependencies=list(doc.get("dependencies") or []),
        property_dependencies=dict(doc.get("propertyDependencies") or {}),
        additional_secret_outputs=list(doc.get("additionalSecretOutputs") or []),
        delete=bool(doc.get("delete", False)),
        created=doc.get("created"),
        modified=doc.get("modified"),
    )


def to_json(cp: Checkpoint, crypter: PassphraseCrypter) -> dict[str, Any]:
    resources = [_resource_to_json(r, crypter) for r in cp.resources]
    pending = [
        {"resource": _resource_to_json(op.resource, crypter), "type": op.type}
        for op in cp.pending
    ]
    deployment: dict[str, Any] = {
        "manifest": {"time": now(), "magic": "", "version": f"civicloud {__version__}"},
        "resources": resources,
    }
    # After sealing: the crypter creates the salt on the first secret it encrypts.
    if crypter.salt_state:
        deployment["secrets_providers"] = {
            "type": "passphrase", "state": {"salt": crypter.salt_state},
        }
    if pending:
        deployment["pending_operations"] = pending
    return {
        "version": 3,
        "deployment": deployment,
        "civicloud": {"stack": cp.stack, "engine": cp.engine, "serial": cp.serial},
    }


def from_json(
    doc: Any, passphrase: str | None, where: str, *, masked: bool = False
) -> tuple[Checkpoint, PassphraseCrypter]:
    """Parse a checkpoint; returns the crypter bound to its salt, to write it back.
    `masked` reads it for display only: secrets stay '[secret]', no passphrase needed."""
    try:
        if doc.get("version") != 3:
            raise StateCorrupt(f"{where}: unsupported checkpoint version {doc.get('version')!r}")
        deployment = doc["deployment"]
        salt = ((deployment.get("secrets_providers") or {}).get("state") or {}).get("salt")
        crypter = PassphraseCrypter(passphrase, salt)
        reader = None if masked else crypter
        meta = doc.get("civicloud") or {}
        cp = Checkpoint(
            stack=meta.get("stack", ""),
            resources=[_resource_from_json(r, reader) for r in deployment.get("resources") or []],
            pending=[
                PendingOperation(op["type"], _resource_from_json(op["resource"], reader))
                for op in deployment.get("pending_operations") or []
            ],
            serial=int(meta.get("serial", 0)),
            engine=meta.get("engine", "pulumi"),
        )
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise StateCorrupt(f"{where}: not a civicloud checkpoint ({exc})") from exc
    return cp, crypter
