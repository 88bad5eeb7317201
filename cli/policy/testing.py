"""Runs the Rego unit tests (`test_*` rules of `*_test.rego` files), like `opa test`."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from civicloud.policy.engine import new_interpreter
from civicloud.policy.policyset import RegoFile, load_policy_set
from civicloud.policy.rego import Rego, RegoEvalError

_TEST_RULE = re.compile(r"^(test_\w+)\b", re.MULTILINE)


@dataclass(frozen=True)
class TestOutcome:
    file: Path
    package: str
    name: str
    status: str  # "pass" | "fail" (false or undefined) | "error"
    detail: str = ""

    @property
    def id(self) -> str:
        return f"{self.package}.{self.name}"


def run_rego_tests(policy_dirs: Sequence[Path] = ()) -> list[TestOutcome]:
    """Every test rule of the project's policies and policy_dirs.

    All tests run in one query, because rego-cpp compiles the modules again for every query;
    `[true | data.p.test_x]` is [] when the test is false or undefined.
    """
    policy_set = load_policy_set(policy_dirs)
    rego = new_interpreter(policy_set, with_tests=True)
    tests = [
        (test_file, name)
        for test_file in policy_set.test_files
        for name in dict.fromkeys(_TEST_RULE.findall(test_file.source))
    ]
    parts = ", ".join(f'"{f.package}.{n}": [true | data.{f.package}.{n}]' for f, n in tests)
    try:
        passed = rego.query(f"x := {{{parts}}}") or {}
    except RegoEvalError:
        passed = None  # one test breaks evaluation: run them one by one to tell which
    return [_outcome(rego, f, name, passed) for f, name in tests]


def _outcome(rego: Rego, test_file: RegoFile, name: str, passed: dict | None) -> TestOutcome:
    key = f"{test_file.package}.{name}"
    if passed is not None:
        status = "pass" if passed[key] else "fail"
        return TestOutcome(test_file.path, test_file.package, name, status)
    try:
        value = rego.query(f"x := data.{key}")
    except RegoEvalError as exc:
        return TestOutcome(test_file.path, test_file.package, name, "error", str(exc))
    return TestOutcome(test_file.path, test_file.package, name, "pass" if value is True else "fail")
