"""Property-based: whatever YAML arrives, the loader answers with located errors or a clean load,
never an exception."""

from __future__ import annotations

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spec_cases import BASE

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                    st.text(max_size=20), st.dates().map(str))
keys = st.sampled_from(["apiVersion", "kind", "metadata", "name", "compute", "storage", "servers",
                        "buckets", "type", "cidr", "backend", "sandbox", "password"]) | st.text(
    max_size=8)
documents = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                         | st.dictionaries(keys, inner, max_size=5), max_leaves=25)


def _assert_answered(bundle, text_lines: int) -> None:
    for problem in bundle.problems.items:
        assert 1 <= problem.line <= text_lines + 1 and problem.column >= 1
        assert problem.message
    if bundle.ok:
        assert bundle.problems.errors == []


@SETTINGS
@given(st.text(max_size=300))
def test_any_text(load_text, text):
    bundle, _ = load_text(text)
    _assert_answered(bundle, text.count("\n") + 1)


@SETTINGS
@given(documents, st.sampled_from(["Tenant", "Syndicate", "Catalogue", None]))
def test_any_yaml_structure(load_text, document, kind):
    if kind and isinstance(document, dict):
        document = {"apiVersion": "civicloud/v1", "kind": kind, **document}
    text = yaml.safe_dump(document, allow_unicode=True)
    bundle, _ = load_text(text)
    _assert_answered(bundle, text.count("\n") + 1)
    assert not bundle.ok or bundle.tenants or bundle.syndicates or bundle.catalogues


LINES = BASE.splitlines()
mutations = st.tuples(
    st.integers(0, len(LINES) - 1),
    st.sampled_from(["delete", "duplicate", "dedent", "indent", "value", "key", "truncate"]),
    st.text(alphabet="abc01 :-[]{}#&*!|>'\"\t,.", max_size=12),
)


def mutate_base(steps) -> str:
    lines = list(LINES)
    for index, how, token in steps:
        index %= len(lines)
        line = lines[index]
        if how == "delete":
            del lines[index]
        elif how == "duplicate":
            lines.insert(index, line)
        elif how == "dedent":
            lines[index] = line[2:]
        elif how == "indent":
            lines[index] = "  " + line
        elif how == "value" and ":" in line:
            lines[index] = line.split(":", 1)[0] + ": " + token
        elif how == "key" and ":" in line:
            lines[index] = line[: len(line) - len(line.lstrip())] + token + ":" + \
                line.split(":", 1)[1]
        elif how == "truncate":
            lines[index] = line[: len(line) // 2]
        if not lines:
            lines = ["kind: Tenant"]
    return "\n".join(lines) + "\n"


@SETTINGS
@given(st.lists(mutations, min_size=1, max_size=4))
def test_mutated_tenant(load_text, steps):
    text = mutate_base(steps)
    bundle, problems = load_text(text)
    _assert_answered(bundle, text.count("\n") + 1)
    for problem in problems:
        assert problem.startswith("t.yaml:")
