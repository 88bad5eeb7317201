"""`civicloud template check`: render a template with every combination of its enumerated
parameters (defaults or examples for the others), then run the spec checks and the policy gate on
each tenant, so that a tenant made from a published template passes the gate by construction."""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from civicloud.spec import Bundle, bundle_policy_inputs, format_path, load
from civicloud.templates.library import Template
from civicloud.templates.manifest import Manifest
from civicloud.templates.render import RenderError, render
from civicloud.templates.values import display, enumerated, parse_value


@dataclass
class Outcome:
    """One rendered combination: `errors` make the template invalid (exit 2), `denials` mean a
    policy rule refuses it (exit 3)."""

    template: str
    combination: dict[str, Any]
    errors: list[str] = field(default_factory=list)
    denials: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        values = ", ".join(f"{k}={display(v)}" for k, v in self.combination.items())
        return f"{self.template}: {values or 'defaults'}"

    def to_dict(self) -> dict[str, Any]:
        return {"template": self.template,
                "combination": {k: display(v) for k, v in self.combination.items()},
                "errors": self.errors, "denials": self.denials, "warnings": self.warnings}


def combinations(manifest: Manifest, now: datetime) -> Iterator[tuple[dict, dict]]:
    """(all values, the enumerated ones) for every combination of enumerated values."""
    today = now.date()
    fixed = {p.name: parse_value(p, p.example if p.required else p.default, today)
             for p in manifest.parameters if enumerated(p) is None}
    varying = {p.name: enumerated(p) for p in manifest.parameters if enumerated(p) is not None}
    for choice in itertools.product(*varying.values()):
        chosen = dict(zip(varying, choice, strict=True))
        yield {**fixed, **chosen}, chosen


def check_templates(templates: Sequence[Template], catalogues: Sequence[Path],
                    policy_dirs: Sequence[Path], now: datetime) -> list[Outcome]:
    """Every combination of every template; the gate runs once on all valid renders (compiling
    the rules costs more than evaluating dozens of tenants)."""
    outcomes: list[Outcome] = []
    to_gate: list[tuple[Outcome, dict]] = []
    with tempfile.TemporaryDirectory(prefix="civicloud-template-") as scratch:
        for template in templates:
            rendered = Path(scratch) / f"{template.name}.yaml"
            for values, chosen in combinations(template.manifest, now):
                outcome = Outcome(template.name, chosen)
                outcomes.append(outcome)
                try:
                    rendered.write_text(render(template, values), encoding="utf-8")
                except RenderError as exc:
                    outcome.errors.append(str(exc))
                    continue
                bundle = load([rendered], catalogues)
                outcome.errors += [f"{template.tenant_file}: rendered line {p.line}:{p.column}: "
                                   f"{p.detail}" for p in bundle.problems.errors]
                if bundle.ok:
                    outcome.errors += _outside_manifest(bundle, template)
                if not outcome.errors:
                    to_gate += [(outcome, item) for item in bundle_policy_inputs(bundle)]
    if to_gate:
        _gate(to_gate, policy_dirs, now)
    return outcomes


def _outside_manifest(bundle: Bundle, template: Template) -> list[str]:
    """What the rendered tenant does that its manifest does not announce."""
    manifest, tenant = template.manifest, bundle.tenants[0].model
    problems = []
    if tenant.classification not in manifest.classifications:
        problems.append(f"{template.tenant_file}: classification {tenant.classification!r} is "
                        f"not among the manifest's classifications "
                        f"({', '.join(manifest.classifications)})")
    for section in (tenant.compute, tenant.storage):
        if section is not None and section.backend not in manifest.backends:
            problems.append(f"{template.tenant_file}: backend {section.backend!r} is not among "
                            f"the manifest's backends ({', '.join(manifest.backends)})")
    return problems


def aliases(name: str, count: int) -> list[str]:
    """`count` distinct names of `name`'s length, its first letter kept and the rest letters:
    every naming rule (pattern, length, bucket names) judges them as it judges `name`."""
    width = len(name) - 1
    names = []
    for number in range(count):
        letters = ""
        for _ in range(width):
            number, digit = divmod(number, 26)
            letters = chr(ord("a") + digit) + letters
        names.append(name[0] + letters)
    return names


def _gate(items: list[tuple[Outcome, dict]], policy_dirs: Sequence[Path], now: datetime) -> None:
    """One gate run for all renders. Findings name their tenant only, and every render of a
    template has the same tenant name: each render is evaluated under an alias of its name."""
    from civicloud.policy import evaluate  # the Rego interpreter only once the spec is valid

    # Aliases only differ after the first letter: names sharing it and their length share them.
    groups: dict[tuple[str, int], list[tuple[Outcome, dict, str]]] = {}
    for outcome, item in items:
        name = item["tenant"]["metadata"]["name"]
        groups.setdefault((name[0], len(name)), []).append((outcome, item, name))
    batches: list[list[tuple[Outcome, dict, str, str]]] = []
    for renders in groups.values():
        capacity = 26 ** (len(renders[0][2]) - 1)
        for k, start in enumerate(range(0, len(renders), capacity)):
            chunk = renders[start:start + capacity]
            if k == len(batches):
                batches.append([])
            batches[k] += [(o, i, n, a) for (o, i, n), a
                           in zip(chunk, aliases(chunk[0][2], len(chunk)), strict=True)]
    for batch in batches:
        inputs = [_renamed(item, alias) for _, item, _, alias in batch]
        findings = evaluate(inputs, policy_dirs=policy_dirs, now=now).findings
        for outcome, _, name, alias in batch:
            for finding in (f for f in findings if f.tenant == alias):
                text = (f"{finding.rule_id} {finding.message.replace(alias, name)} "
                        f"({format_path(finding.path) or 'tenant'})")
                if finding.status == "deny":
                    outcome.denials.append(text)
                elif finding.status == "warn":
                    outcome.warnings.append(text)


def _renamed(item: dict, alias: str) -> dict:
    tenant = {**item["tenant"], "metadata": {**item["tenant"]["metadata"], "name": alias}}
    return {**item, "tenant": tenant}
