"""Runs the Rego unit tests (`test_*` rules of `*_test.rego` files), like `opa test`."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from regopy import Bundle

from civicloud.policy.engine import new_interpreter
from civicloud.policy.errors import PolicyError
from civicloud.policy.policyset import RegoFile, load_policy_set
from civicloud.policy.rego import Rego, RegoCompileError, RegoEvalError

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
    """Every test rule of the project's policies and policy_dirs, each evaluated on its own."""
    policy_set = load_policy_set(policy_dirs)
    rego = new_interpreter(policy_set, with_tests=True)
    tests = [
        (test_file, name)
        for test_file in policy_set.test_files
        for name in dict.fromkeys(_TEST_RULE.findall(test_file.source))
    ]
    if not tests:
        return []
    try:
        bundle = rego.prepare_entrypoints([f"data.{f.package}.{name}" for f, name in tests])
    except RegoCompileError as exc:
        raise PolicyError(f"the policy tests do not compile:\n{exc}") from None
    return [_outcome(rego, bundle, f, name) for f, name in tests]


def _outcome(rego: Rego, bundle: Bundle, test_file: RegoFile, name: str) -> TestOutcome:
    try:
        value = rego.run_rule(bundle, f"data.{test_file.package}.{name}")
    except RegoEvalError as exc:
        return TestOutcome(test_file.path, test_file.package, name, "error", str(exc))
    return TestOutcome(test_file.path, test_file.package, name, "pass" if value is True else "fail")
