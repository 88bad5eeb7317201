"""What every civicloud provider shares: input checking, diffing, adoption markers.

Providers are `pulumi.dynamic.ResourceProvider`s so that they run unchanged under the real
Pulumi CLI and under civicloud's embedded engine. They keep no state and no credentials: every
call resolves its connection from the names in the inputs (see civicloud.stacks.credentials).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)

from civicloud.stacks.providers.errors import ProviderError, VerificationError

CIVICLOUD_TAG = "civicloud"


def tenant_tags(tenant: str) -> list[str]:
    """Tags that mark a resource as civicloud's, for one tenant (how adoption recognises it)."""
    return [CIVICLOUD_TAG, f"tenant:{tenant}"]


def tenant_metadata(tenant: str) -> dict[str, str]:
    """The same marker for services that have key/value metadata instead of tags."""
    return {CIVICLOUD_TAG: "true", "civicloud:tenant": tenant}


def is_ours(tags: Iterable[str] | None, tenant: str) -> bool:
    return set(tenant_tags(tenant)) <= set(tags or ())


def user_inputs(props: Mapping[str, Any]) -> dict[str, Any]:
    """Inputs without the engine's own keys (`__provider`) and without unset values."""
    return {k: v for k, v in props.items() if not k.startswith("__") and v is not None}


def verify_equal(what: str, expected: Any, found: Any) -> None:
    if expected != found:
        raise VerificationError(
            f"{what}: the backend accepted {expected!r} but reports {found!r}; "
            "it silently ignored the setting"
        )


class CivicProvider(ResourceProvider):
    """Base class: subclasses declare their inputs and implement _create/_read/_update/_delete.

    - `inputs`: every input key the resource accepts (anything else is refused by check);
    - `required`: inputs that must be present;
    - `replace_on`: inputs the backend cannot change in place (a change means delete + create;
      delete first, since names are unique on the backends);
    - outputs are the inputs plus what `_create` computes (ids, addresses, secrets);
    - `_lookup` finds the resource the inputs name (deterministic name + civicloud marker):
      `_create` adopts what it finds, so an interrupted apply converges, and `find` lets the
      embedded engine settle an interrupted create. `findable = False` for resources whose
      outputs hold a secret only their creation yields (their create adopts and re-issues it).
    """

    inputs: ClassVar[tuple[str, ...]] = ()
    required: ClassVar[tuple[str, ...]] = ()
    replace_on: ClassVar[tuple[str, ...]] = ()
    delete_before_replace: ClassVar[bool] = True
    findable: ClassVar[bool] = True

    # -- subclass hooks -------------------------------------------------------------------------
    def _lookup(self, props: dict[str, Any]) -> str | None:
        raise NotImplementedError

    def _computed(self, id_: str, props: dict[str, Any]) -> dict[str, Any]:
        """Outputs derived from the live resource (ids, addresses): what `find` can rebuild."""
        return {}

    def _create(self, props: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        raise NotImplementedError

    def _read(self, id_: str, props: dict[str, Any]) -> dict[str, Any] | None:
        """What the backend really has, in input terms (plus outputs); None if it is gone."""
        raise NotImplementedError

    def _update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        # Reached only if a resource whose every input forces a replacement is updated.
        raise ProviderError(f"{type(self).__name__}: cannot change in place, replace it")

    def _delete(self, id_: str, props: dict[str, Any]) -> None:
        raise NotImplementedError

    def verify(self, id_: str, props: dict[str, Any]) -> None:
        """Read back what the backend did and raise VerificationError if a setting was dropped.

        Default: every declared input must read back as declared.
        """
        props = user_inputs(props)
        actual = self._read(id_, props)
        if actual is None:
            raise VerificationError(f"{type(self).__name__} {id_}: not found after it was written")
        for key in self.inputs:
            if key in props and key in actual:
                verify_equal(f"{type(self).__name__} {id_}: {key}", props[key], actual[key])

    # -- pulumi.dynamic.ResourceProvider ----------------------------------------------------------
    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        given = user_inputs(news)
        failures = [CheckFailure(key, "required") for key in self.required if key not in given]
        failures += [
            CheckFailure(key, f"unknown input (accepted: {', '.join(self.inputs)})")
            for key in given
            if key not in self.inputs
        ]
        return CheckResult(news, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        old, new = user_inputs(olds), user_inputs(news)
        changed = [key for key in self.inputs if old.get(key) != new.get(key)]
        replaces = [key for key in changed if key in self.replace_on]
        # An update in place keeps the resource's ids: a dependent's preview keeps them known
        # (an unknown subnet_id would otherwise force its router interface to be replaced).
        ids = [key for key in olds if key.endswith("_id") and key not in self.inputs]
        return DiffResult(
            changes=bool(changed),
            replaces=replaces,
            stables=[key for key in self.inputs if key not in changed] + ids,
            delete_before_replace=self.delete_before_replace,
        )

    def create(self, props: dict[str, Any]) -> CreateResult:
        inputs = user_inputs(props)
        id_, outs = self._create(inputs)
        self.verify(id_, {**inputs, **outs})
        return CreateResult(id_, {**inputs, **outs})

    def find(self, props: dict[str, Any]) -> ReadResult | None:
        """Whether the resource these inputs name exists (asked by the embedded engine after a
        crash interrupted its create). Looks, never writes."""
        if not self.findable:
            return None
        inputs = user_inputs(props)
        id_ = self._lookup(inputs)
        if id_ is None:
            return None
        actual = self._read(id_, inputs) or {}
        return ReadResult(id_, {**inputs, **actual, **self._computed(id_, inputs)})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        actual = self._read(id_, user_inputs(props))
        if actual is None:
            return ReadResult(None, {})
        return ReadResult(id_, {**user_inputs(props), **actual})

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        old, new = user_inputs(olds), user_inputs(news)
        outs = self._update(id_, old, new)
        merged = {**{k: v for k, v in old.items() if k not in self.inputs}, **new, **outs}
        self.verify(id_, merged)
        return UpdateResult(merged)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        self._delete(id_, user_inputs(props))
