"""Tenant files -> what the engine runs: one stack per tenant, the shared Pulumi program.

Used by plan, apply and destroy; `validate` stops before this point.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from civicloud import exitcodes
from civicloud.spec import Bundle, SpecError, bundle_policy_inputs, load
from civicloud.spec import report as spec_report

PROJECT = "civicloud"  # the Pulumi project of every tenant stack


@dataclass
class TenantJob:
    """One tenant ready to plan or apply: the documents its program is built from."""

    name: str
    file: str
    tenant: dict[str, Any]  # the validated tenant document (YAML keys)
    backends: dict[str, dict[str, Any]]  # the catalogue entries it uses
    policy_input: dict[str, Any]  # what policy gate 1 read; gate 2 adds `resources`

    def stack(self):
        return stack_ref(self.name)

    def program(self):
        """The Pulumi inline program: the one definition shared by both engines."""
        from civicloud.stacks.program import declare_tenant

        tenant, backends = self.tenant, self.backends
        return lambda: declare_tenant(tenant, backends)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "file": self.file, "tenant": self.tenant,
                "backends": self.backends}


def stack_ref(name: str):
    from civicloud.engine.base import StackRef

    return StackRef(PROJECT, name)


def tenant_named(tenant: str) -> tuple[str, str | None]:
    """TENANT_FILE|NAME -> (tenant name, type). A name alone gives no type (None); a file is
    loaded and checked (exit 2 on errors)."""
    path = Path(tenant)
    if path.suffix not in (".yaml", ".yml") and not path.exists():
        return tenant, None
    _, jobs = load_jobs((path,), ())
    if len(jobs) != 1:
        click.echo(f"error: {tenant}: expected one tenant, found {len(jobs)}", err=True)
        sys.exit(exitcodes.INVALID_INPUT)
    return jobs[0].name, jobs[0].tenant["type"]


def print_problems(bundle: Bundle, output: str) -> None:
    problems, files = bundle.problems.items, len(bundle.files)
    if output == "json":
        click.echo(spec_report.to_json(problems, files))
    elif output == "sarif":
        click.echo(spec_report.to_sarif(problems))
    else:
        click.echo(spec_report.to_text(problems, files))


def print_warnings(bundle: Bundle, output: str) -> None:
    """Warnings go along the report in text, to stderr otherwise (stdout stays one document)."""
    warnings = bundle.problems.warnings
    if warnings:
        click.echo(spec_report.to_text(warnings, len(bundle.files), summary=False),
                   err=output != "text")


def load_checked(paths: tuple[Path, ...], catalogues: tuple[Path, ...],
                 output: str = "text") -> Bundle:
    """Load and check the files; on any error print them all (file:line:col) and exit 2."""
    from civicloud.paths import project_path

    bundle = load(paths, catalogues or (project_path("catalogue"),))
    if bundle.ok and not bundle.tenants:
        where = ", ".join(str(p) for p in paths)
        bundle.problems.add(SpecError(where, 1, 1, (), "no tenant found (no document with "
                                                        "`kind: Tenant`)"))
    if not bundle.ok:
        print_problems(bundle, output)
        sys.exit(exitcodes.INVALID_INPUT)
    print_warnings(bundle, output)
    return bundle


def load_jobs(paths: tuple[Path, ...], catalogues: tuple[Path, ...],
              output: str = "text") -> tuple[Bundle, list[TenantJob]]:
    """The checked tenants as jobs for the engine (exit 2 on any input error)."""
    bundle = load_checked(paths, catalogues, output)
    jobs = []
    for located, policy_input in zip(bundle.tenants, bundle_policy_inputs(bundle), strict=True):
        model = located.model
        jobs.append(TenantJob(
            name=model.metadata.name,
            file=located.source.file,
            tenant=model.model_dump(mode="json", by_alias=True, exclude_none=True),
            backends={name: bundle.backends[name].model_dump(mode="json", exclude_none=True)
                      for name in policy_input["backends"]},
            policy_input=policy_input,
        ))
    return bundle, jobs
