"""The templates a member may pick: every `<dir>/<name>/template.yaml` of the project's templates/
directory and of the syndicate's directories (`--templates DIR`), and the syndicate's allow-list
(`<dir>/policy.yaml`, `kind: TemplatePolicy`, `allowed: [names]`)."""


from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ValidationError

from civicloud.spec.errors import SpecError
from civicloud.spec.fields import Model, Name
from civicloud.spec.translate import translate
from civicloud.spec.yamlsource import parse_file
from civicloud.templates.manifest import MANIFEST_FILE, TENANT_FILE, Manifest

POLICY_FILE = "policy.yaml"


class TemplatePolicy(Model):
    apiVersion: Literal["civicloud/v1"]
    kind: Literal["TemplatePolicy"]
    allowed: list[Name]   # the only templates members may use


@dataclass(frozen=True)
class Template:
    manifest: Manifest
    directory: Path

    @property
    def name(self) -> str:
        return self.manifest.name

    @property
    def tenant_file(self) -> Path:
        return self.directory / TENANT_FILE


@dataclass
class Library:
    templates: dict[str, Template] = field(default_factory=dict)  # every template found, by name
    allowed: set[str] | None = None       # None: no policy.yaml restricts them
    policy_files: list[Path] = field(default_factory=list)
    problems: list[SpecError] = field(default_factory=list)

    def is_allowed(self, name: str) -> bool:
        return self.allowed is None or name in self.allowed

    @property
    def usable(self) -> list[Template]:
        return [t for name, t in sorted(self.templates.items()) if self.is_allowed(name)]

    def refusal(self, name: str) -> str:
        """Why `name` cannot be used (unknown, or not in the syndicate's allow-list)."""
        if name not in self.templates:
            known = ", ".join(t.name for t in self.usable) or "none"
            return f"no template named {name!r} (available: {known})"
        files = ", ".join(str(p) for p in self.policy_files)
        return (f"template {name!r} is not allowed by {files} "
                f"(allowed: {', '.join(sorted(self.allowed or ())) or 'none'})")


def _validated(path: Path, model: type[BaseModel]) -> tuple[BaseModel | None, list[SpecError]]:
    documents, problems = parse_file(path, str(path))
    if problems:
        return None, problems
    if len(documents) != 1:
        return None, [SpecError(str(path), 1, 1, (), f"expected one YAML document, found "
                                                     f"{len(documents)}")]
    doc = documents[0]
    try:
        return model.model_validate(doc.data), []
    except ValidationError as exc:
        return None, translate(model, exc, doc.source)


def open_library(directories: Sequence[Path]) -> Library:
    """Templates of later directories replace those of the same name in earlier ones (a
    syndicate's `communal-website` replaces the project's); allow-lists intersect."""
    library = Library()
    for directory in directories:
        if not directory.is_dir():
            library.problems.append(SpecError(str(directory), 1, 1, (),
                                              "templates directory not found"))
            continue
        policy = directory / POLICY_FILE
        if policy.is_file():
            model, problems = _validated(policy, TemplatePolicy)
            library.problems.extend(problems)
            if isinstance(model, TemplatePolicy):
                allowed = set(model.allowed)
                library.allowed = allowed if library.allowed is None else library.allowed & allowed
                library.policy_files.append(policy)
        for manifest_path in sorted(directory.glob(f"*/{MANIFEST_FILE}")):
            _add_template(library, manifest_path)
    return library


def _add_template(library: Library, manifest_path: Path) -> None:
    model, problems = _validated(manifest_path, Manifest)
    library.problems.extend(problems)
    if not isinstance(model, Manifest):
        return
    directory = manifest_path.parent
    if model.name != directory.name:
        library.problems.append(SpecError(str(manifest_path), 1, 1, ("name",),
                                          f"expected the directory's name {directory.name!r}, "
                                          f"got {model.name!r}"))
        return
    if not (directory / TENANT_FILE).is_file():
        library.problems.append(SpecError(str(manifest_path), 1, 1, (),
                                          f"missing {directory / TENANT_FILE} (the tenant spec "
                                          "the template renders)"))
        return
    library.templates[model.name] = Template(model, directory)
