"""Compiles a policy set once and evaluates it on many inputs (the batch path of the gate)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from civicloud.policy.errors import PolicyError
from civicloud.policy.policyset import PolicySet, RegoFile, builtin_policy_dir
from civicloud.policy.rego import Rego, RegoCompileError, RegoEvalError

SEVERITIES = ("error", "warning")
STAGES = ("spec", "plan")
# The rule set each stage reads from every family package. No built-in rule reads the planned
# resources yet: the plan stage evaluates (and counts) the families, and finds what deny_plan says.
STAGE_RULE = {"spec": "deny", "plan": "deny_plan"}
# Rules about a syndicate as a whole (its quota envelope), evaluated once per syndicate on
# {syndicate, members, now, stage}: each finding also names the member it concerns ("tenant").
SYNDICATE_RULE = {"spec": "deny_syndicate"}


@dataclass(frozen=True)
class Rule:
    """A rule's metadata, as declared in its family's `metadata` object."""

    id: str
    family: str
    severity: str
    title: str
    description: str
    source: str
    waiver: str
    file: Path
    stage: str = "spec"  # the gate that runs it: spec (gate 1) or plan (gate 2)


def new_interpreter(policy_set: PolicySet, *, with_tests: bool = False) -> Rego:
    """An interpreter with the parameters and the Rego files (and their tests) loaded."""
    rego = Rego()
    rego.add_data({"params": policy_set.params})
    for rego_file in policy_set.files:
        if with_tests or not rego_file.is_test:
            try:
                rego.add_module(str(rego_file.path), rego_file.source)
            except RegoCompileError as exc:
                raise PolicyError(f"syntax error in a policy file:\n{exc}") from None
    return rego


class PolicyEngine:
    """The rules of a policy set, ready to evaluate one input after another."""

    def __init__(self, policy_set: PolicySet, stage: str = "spec") -> None:
        if stage not in STAGE_RULE:
            raise PolicyError(f"policy stage {stage!r} is not supported (known: spec, plan)")
        self._rego = new_interpreter(policy_set)
        # A package may span several files (an authority adding a rule to a built-in family).
        packages: dict[str, list[RegoFile]] = {}
        for rego_file in policy_set.rule_files:
            packages.setdefault(rego_file.package, []).append(rego_file)
        self.rules: dict[str, Rule] = {}
        families: list[str] = []
        declared = self._all_metadata(packages)
        for package, files in packages.items():
            for rule in self._declared_rules(package, files, declared):
                if rule.id in self.rules:
                    raise PolicyError(
                        f"{rule.file}: rule ID {rule.id} is also defined in "
                        f"{self.rules[rule.id].file}: rule IDs must be unique"
                    )
                self.rules[rule.id] = rule
                if package not in families:
                    families.append(package)
        self._bundle = self._prepare(families, STAGE_RULE[stage])
        entry = SYNDICATE_RULE.get(stage)
        self.has_syndicate_rules = entry is not None and any(
            re.search(rf"^{entry}\b", f.source, re.MULTILINE) for f in policy_set.rule_files
        )
        # Tenant rules read the tenant; the members are for syndicate rules. An authority's rule
        # written for tenant inputs that still carry `members` gets them (the project's do not).
        builtin = builtin_policy_dir()
        self.tenant_rules_read_members = any(
            "input.members" in f.source
            for f in policy_set.rule_files if not f.path.is_relative_to(builtin)
        )
        self._syndicate_bundle = (
            self._prepare(families, entry) if entry and self.has_syndicate_rules else None
        )

    def _prepare(self, families: list[str], entry: str) -> Any:
        """One query for the `entry` rules of every family: {package: [finding, ...]}."""
        if not families:
            return None
        # `[f | some f in data.p.deny]` is [] for a family without deny, where data.p.deny
        # alone would make the whole object undefined.
        parts = ", ".join(f'"{p}": [f | some f in data.{p}.{entry}]' for p in families)
        return self._rego.prepare(f"x := {{{parts}}}")

    def _all_metadata(self, packages: dict[str, list[RegoFile]]) -> dict[str, list[Any]] | None:
        """Every package's metadata in one query ([] or [metadata]), or None when one package's
        cannot be read (each is then read on its own, to name the file at fault)."""
        if not packages:
            return {}
        # One compilation of the policies instead of one per package.
        parts = ", ".join(f'"{p}": [m | m := data.{p}.metadata]' for p in packages)
        try:
            return self._rego.query(f"x := {{{parts}}}")
        except RegoEvalError:
            return None

    def _declared_rules(
        self, package: str, files: list[RegoFile], declared: dict[str, list[Any]] | None
    ) -> list[Rule]:
        if declared is not None and package in declared:
            metadata = declared[package][0] if declared[package] else None
        else:
            try:
                metadata = self._rego.query(f"x := data.{package}.metadata")
            except RegoEvalError as exc:
                raise PolicyError(
                    f"{files[0].path}: cannot read the rules' metadata: {exc}") from None
        if metadata is None:
            return []  # a helper package (like civicloud.lib): no rule of its own
        if not isinstance(metadata, dict):
            raise PolicyError(f"{files[0].path}: metadata must be an object keyed by rule ID")
        return [
            _rule(rule_id, entry, _declaring_file(rule_id, files))
            for rule_id, entry in sorted(metadata.items())
        ]

    def evaluate(
        self,
        rego_input: dict[str, Any],
        syndicate_findings: Sequence[tuple[str, dict[str, Any]]] = (),
    ) -> list[dict[str, Any]]:
        """Findings of every family on one tenant's input: dicts with id, msg, path (and maybe
        tenant), family by family; syndicate_findings ((package, finding) pairs of
        evaluate_syndicate that concern this tenant) join their family's, in rule ID order."""
        by_family = self._run(self._bundle, rego_input)
        for package, raw in by_family.items():
            for finding in raw:
                self._check_shape(package, finding)
        for package in {package for package, _ in syndicate_findings}:
            joined = by_family.setdefault(package, [])
            joined += [f for p, f in syndicate_findings if p == package]
            joined.sort(key=lambda f: f["id"])  # stable: each rule's findings keep their order
        return [finding for raw in by_family.values() for finding in raw]

    def evaluate_syndicate(self, syndicate_input: dict[str, Any]) -> list[tuple[str, dict]]:
        """(package, finding) pairs of every family's syndicate rules on one syndicate's input;
        each finding names the member it concerns in "tenant"."""
        if self._syndicate_bundle is None:
            return []
        pairs = []
        for package, raw in self._run(self._syndicate_bundle, syndicate_input).items():
            for finding in raw:
                self._check_shape(package, finding)
                if not isinstance(finding.get("tenant"), str):
                    raise PolicyError(
                        f"package {package}: a deny_syndicate entry must name the member it "
                        f'concerns ("tenant": <the member\'s metadata.name>), got {finding!r}'
                    )
                pairs.append((package, finding))
        return pairs

    def _run(self, bundle: Any, rego_input: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
        if bundle is None:
            return {}
        try:
            self._rego.set_input(rego_input)
            return self._rego.run(bundle) or {}
        except RegoEvalError as exc:
            raise PolicyError(f"policy evaluation failed: {exc}") from None

    def _check_shape(self, package: str, finding: Any) -> None:
        if (
            not isinstance(finding, dict)
            or not isinstance(finding.get("msg"), str)
            or not isinstance(finding.get("path"), list)
            or finding.get("id") not in self.rules
        ):
            raise PolicyError(
                f"package {package}: a deny entry must be an object {{\"id\": <a rule ID of "
                f'metadata>, "msg": <string>, "path": <array>}}, got {finding!r}'
            )


def _declaring_file(rule_id: str, files: list[RegoFile]) -> RegoFile:
    return next((f for f in files if f'"{rule_id}"' in f.source), files[0])


def _rule(rule_id: Any, entry: Any, rego_file: RegoFile) -> Rule:
    where = f"{rego_file.path}: metadata[{rule_id!r}]"
    if not isinstance(entry, dict):
        raise PolicyError(f"{where}: expected an object with title, severity and source")
    missing = [key for key in ("title", "severity", "source") if not entry.get(key)]
    if missing:
        raise PolicyError(f"{where}: missing {', '.join(missing)}")
    if entry["severity"] not in SEVERITIES:
        raise PolicyError(f"{where}: severity must be error or warning, got {entry['severity']!r}")
    if entry.get("stage", "spec") not in STAGES:
        raise PolicyError(f"{where}: stage must be spec or plan, got {entry['stage']!r}")
    return Rule(
        id=str(rule_id),
        family=rego_file.family,
        severity=entry["severity"],
        title=entry["title"],
        description=entry.get("description", ""),
        source=entry["source"],
        waiver=entry.get("waiver", ""),
        file=rego_file.path,
        stage=entry.get("stage", "spec"),
    )
