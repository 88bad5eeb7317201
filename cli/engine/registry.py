"""Which provider class serves which resource type: looked up by type token, never unpickled.

A dynamic resource `class Network(pulumi.dynamic.Resource, module="civicloud", name="Network")`
reaches the engine as `pulumi-python:dynamic/civicloud:Network`; its provider is registered with

    @register_provider("pulumi-python:dynamic/civicloud:Network")
    class NetworkProvider(pulumi.dynamic.ResourceProvider): ...

The engine makes a fresh instance (no arguments) for every call, so a provider holds no
credentials or clients between calls: it resolves them at call time from its inputs (e.g. the
backend name). The pickled `__provider` the SDK sends is dropped, never executed or stored.

Optional, for crash recovery: `find(props) -> ReadResult | None` finds a resource by its
deterministic name/tags, so an interrupted create can be adopted (or known not to exist).
"""

from __future__ import annotations

from collections.abc import Callable

from pulumi.dynamic import ResourceProvider

from civicloud.engine.errors import ProviderNotRegistered
from civicloud.engine.values import Props, secret_keys

_PROVIDERS: dict[str, type[ResourceProvider]] = {}

DYNAMIC_PREFIX = "pulumi-python:dynamic"


def type_token(module: str, name: str) -> str:
    """The token the SDK gives `class X(pulumi.dynamic.Resource, module=module, name=name)`."""
    return f"{DYNAMIC_PREFIX}/{module}:{name}" if module else f"{DYNAMIC_PREFIX}:{name}"


def register_provider(
    token: str,
) -> Callable[[type[ResourceProvider]], type[ResourceProvider]]:
    def decorate(cls: type[ResourceProvider]) -> type[ResourceProvider]:
        if not (isinstance(cls, type) and issubclass(cls, ResourceProvider)):
            raise TypeError(f"{cls!r} is not a pulumi.dynamic.ResourceProvider subclass")
        known = _PROVIDERS.get(token)
        if known is not None and known.__qualname__ != cls.__qualname__:
            raise ValueError(f"{token} is already served by {known.__qualname__}")
        _PROVIDERS[token] = cls
        return cls

    return decorate


def provider_for(token: str, resource: str) -> ResourceProvider:
    cls = _PROVIDERS.get(token)
    if cls is None:
        raise ProviderNotRegistered(
            f"{resource}: no provider is registered for type {token} "
            "(import the module that declares it with @register_provider)"
        )
    return cls()


def secret_output_keys(provider: ResourceProvider, inputs: Props, extra: list[str]) -> set[str]:
    """An output is secret if the input of that name was, if the program asked for it
    (additional_secret_outputs) or if the provider declares it (`secret_outputs`)."""
    return secret_keys(inputs) | set(extra) | set(getattr(provider, "secret_outputs", ()))


def can_find(token: str) -> bool:
    cls = _PROVIDERS.get(token)
    return cls is not None and callable(getattr(cls, "find", None))
