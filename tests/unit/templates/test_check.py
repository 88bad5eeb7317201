"""`template check` with the real policy gate (regopy and the project's Rego rules)."""

import math
from datetime import UTC, datetime
from pathlib import Path

from civicloud.paths import project_path
from civicloud.templates.check import aliases, check_templates, combinations
from civicloud.templates.library import open_library
from civicloud.templates.values import enumerated

NOW = datetime(2026, 11, 25, tzinfo=UTC)
CATALOGUE = [project_path("catalogue")]


def test_every_combination_of_every_project_template_passes_the_gate():
    templates = list(open_library([project_path("templates")]).templates.values())
    outcomes = check_templates(templates, CATALOGUE, (), NOW)
    for template in templates:
        expected = math.prod(len(enumerated(p) or [None]) for p in template.manifest.parameters)
        assert sum(o.template == template.name for o in outcomes) == expected > 1
    refused = [(o.label, o.errors, o.denials) for o in outcomes if o.errors or o.denials]
    assert refused == []


def test_combinations_vary_only_enumerated_parameters():
    template = open_library([project_path("templates")]).templates["pilot-sandbox"]
    combos = list(combinations(template.manifest, NOW))
    assert len(combos) == 2 * 2 * 2 * 5  # classification, flavor, with_bucket, authority_type
    assert {values["expires"].isoformat() for values, _ in combos} == {"2027-01-24"}
    assert all(set(chosen) == {"classification", "flavor", "with_bucket", "authority_type"}
               for _, chosen in combos)


def test_a_combination_violating_a_rule_is_refused_with_the_combination_named(
        templates_dir: Path, copy_template):
    directory = copy_template("ccas-health")
    manifest = directory / "template.yaml"
    manifest.write_text(manifest.read_text()
                        .replace("choices: [local-s3-fr]", "choices: [local-s3-fr, local-s3-de]")
                        .replace("backends: [local-openstack, local-s3-fr]",
                                 "backends: [local-openstack, local-s3-fr, local-s3-de]"))
    template = open_library([templates_dir]).templates["ccas-health"]
    outcomes = check_templates([template], CATALOGUE, (), NOW)
    refused = [o for o in outcomes if o.denials]
    assert refused and all(o.combination["storage_backend"] == "local-s3-de" for o in refused)
    assert all(not o.denials for o in outcomes if o.combination["storage_backend"] == "local-s3-fr")
    assert "storage_backend=local-s3-de" in refused[0].label
    assert any(d.startswith("CIVIC-QUAL-1 ") for d in refused[0].denials)


def test_a_backend_the_manifest_does_not_announce_is_an_error(templates_dir: Path, copy_template):
    directory = copy_template("ccas-health")
    manifest = directory / "template.yaml"
    manifest.write_text(manifest.read_text().replace(
        "backends: [local-openstack, local-s3-fr]", "backends: [local-s3-fr]"))
    template = open_library([templates_dir]).templates["ccas-health"]
    outcomes = check_templates([template], CATALOGUE, (), NOW)
    assert all("backend 'local-openstack' is not among the manifest's backends" in o.errors[0]
               for o in outcomes)


def test_invalid_render_names_the_template_file_and_combination(templates_dir: Path, copy_template):
    directory = copy_template("communal-website")
    tenant = directory / "tenant.yaml.j2"
    tenant.write_text(tenant.read_text().replace("encryption: {{ media_encryption | yaml }}",
                                                 "encryption: {{ media_encryption | yaml }}-x"))
    template = open_library([templates_dir]).templates["communal-website"]
    outcomes = check_templates([template], CATALOGUE, (), NOW)
    error = outcomes[0].errors[0]
    assert error.startswith(f"{tenant}: rendered line ")
    assert "storage.buckets[0].encryption: expected one of sse-s3" in error
    assert "media_encryption=sse-s3" in outcomes[0].label


def test_aliases_keep_length_and_first_letter():
    names = aliases("vence-web", 30)
    assert len(set(names)) == 30
    assert all(len(n) == 9 and n[0] == "v" and n.isalpha() for n in names)
