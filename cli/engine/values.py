"""Property values as they travel on Pulumi's wire: plain JSON plus two markers.

A secret is `{SIG: SECRET_SIG, "value": v}` and a value not known yet (preview) is the string
`UNKNOWN`. The SDK pushes secretness up to top-level properties, so keeping track of secret
*keys* is enough for outputs.
"""

from __future__ import annotations

from typing import Any

from google.protobuf import json_format, struct_pb2

SIG = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # the SDK's rpc.UNKNOWN sentinel

# How plans show values that must not, or cannot yet, be printed.
SECRET_MASK = "[secret]"
UNKNOWN_DISPLAY = "(known after apply)"

Props = dict[str, Any]


def _normalise(value: Any) -> Any:
    # protobuf Struct only has doubles: give back ints where the program wrote ints.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    return value


def from_struct(struct: struct_pb2.Struct) -> Props:
    return _normalise(json_format.MessageToDict(struct))


def to_struct(props: Props) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(props)
    return struct


def is_secret(value: Any) -> bool:
    return isinstance(value, dict) and value.get(SIG) == SECRET_SIG and "value" in value


def secret(value: Any) -> Any:
    return value if is_secret(value) else {SIG: SECRET_SIG, "value": value}


def reveal(value: Any) -> Any:
    """The plain value a provider works with: every secret marker removed, at any depth."""
    if is_secret(value):
        return reveal(value["value"])
    if isinstance(value, dict):
        return {k: reveal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [reveal(v) for v in value]
    return value


def contains_unknown(value: Any) -> bool:
    if value == UNKNOWN:
        return True
    if isinstance(value, dict):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_unknown(v) for v in value)
    return False


def drop_unknowns(props: Props) -> Props:
    return {k: v for k, v in props.items() if not contains_unknown(v)}


def secret_keys(props: Props) -> set[str]:
    return {k for k, v in props.items() if is_secret(v)}


def mark_secret(props: Props, keys: set[str]) -> Props:
    return {k: secret(v) if k in keys else v for k, v in props.items()}


def display(value: Any) -> Any:
    """A value safe to print or save in a plan: secrets masked, unknowns spelled out."""
    if is_secret(value):
        return SECRET_MASK
    if value == UNKNOWN:
        return UNKNOWN_DISPLAY
    if isinstance(value, dict):
        return {k: display(v) for k, v in value.items()}
    if isinstance(value, list):
        return [display(v) for v in value]
    return value


def changed_keys(old: Props, new: Props) -> list[str]:
    """Top-level properties whose plain values differ (an unknown new value counts as a change)."""
    return sorted(k for k in old.keys() | new.keys() if reveal(old.get(k)) != reveal(new.get(k)))


def _secret_strings(value: Any, inside: bool = False) -> list[str]:
    if is_secret(value):
        return _secret_strings(value["value"], True)
    if isinstance(value, dict):
        return [s for v in value.values() for s in _secret_strings(v, inside)]
    if isinstance(value, list):
        return [s for v in value for s in _secret_strings(v, inside)]
    return [str(value)] if inside and value is not None and len(str(value)) >= 4 else []


def redact(message: str, *sources: Any) -> str:
    """A message (e.g. a provider's exception) with every secret value of `sources` masked:
    providers may quote their inputs in errors, and errors end up in logs."""
    for text in sorted({s for src in sources for s in _secret_strings(src)}, key=len, reverse=True):
        message = message.replace(text, SECRET_MASK)
    return message
