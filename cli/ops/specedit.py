"""Edits of a tenant file that change only what they must: every other byte (comments,
indentation, quoting, key order) stays as the author wrote it.

ruamel's round-trip loader says where each key and value is; the edit is done on those lines
of the text itself, because re-dumping the document would re-indent the author's lists.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

_SCALAR = re.compile(r"\"[^\"]*\"|'[^']*'|[^\s,}\]#]+")


def load(text: str) -> Any:
    """The document, round-trip loaded: each mapping's `.lc` says where its keys and values are."""
    from ruamel.yaml import YAML

    return YAML(typ="rt").load(text)


def replace_value(text: str, mapping: Any, key: str, value: str) -> str:
    """`text` with the scalar value of `key` in `mapping` (a node of `load(text)`) replaced by
    `value`, in the author's quoting; every other byte kept."""
    line, col = mapping.lc.value(key)
    lines = text.splitlines(keepends=True)
    found = _SCALAR.match(lines[line], col)
    if found is None:  # unreachable for a scalar value ruamel located
        raise ValueError(f"line {line + 1}: no value for {key!r}")
    quote = found.group()[0] if found.group()[0] in "'\"" else ""  # keep the author's quoting
    lines[line] = lines[line][:col] + quote + value + quote + lines[line][found.end():]
    return "".join(lines)


def set_expiry(text: str, until: date) -> str:
    """The tenant file with `sandbox.expires` set to `until`."""
    return replace_value(text, load(text)["sandbox"], "expires", until.isoformat())


def to_community(text: str) -> str:
    """The tenant file with `type: community` and its top-level `sandbox:` block removed
    (comments that head the next key are kept)."""
    doc = load(text)
    keys = list(doc)
    start = doc.lc.key("sandbox")[0]
    following = keys.index("sandbox") + 1
    lines = replace_value(text, doc, "type", "community").splitlines(keepends=True)
    end = doc.lc.key(keys[following])[0] if following < len(keys) else len(lines)
    while end > start + 1 and (not lines[end - 1].strip() or lines[end - 1].startswith("#")):
        end -= 1  # blank lines and column-0 comments before the next key belong to it
    return "".join(lines[:start] + lines[end:])


def write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


@contextmanager
def tentatively(path: Path, text: str) -> Iterator[None]:
    """Write `text` to `path` for the body to check; put the original back if the body exits
    with an error (SystemExit with a non-zero code included)."""
    original = path.read_text(encoding="utf-8")
    write_atomically(path, text)
    ok = False
    try:
        yield
        ok = True
    except SystemExit as exc:
        ok = not exc.code
        raise
    finally:
        if not ok:
            write_atomically(path, original)
