from pathlib import Path

from civicloud.paths import project_path
from civicloud.templates.library import open_library

PROJECT = project_path("templates")


def test_project_templates_load_without_problems():
    library = open_library([PROJECT])
    assert library.problems == []
    assert {"communal-website", "document-archives", "ccas-health",
            "pilot-sandbox"} <= set(library.templates)
    assert library.allowed is None


def test_bad_manifest_is_reported_with_file_line_and_field(templates_dir: Path, copy_template):
    template = copy_template("pilot-sandbox")
    manifest = template / "template.yaml"
    manifest.write_text(manifest.read_text().replace("type: date", "type: datetime"))
    library = open_library([templates_dir])
    [problem] = library.problems
    assert problem.file == str(manifest)
    line = manifest.read_text().splitlines()[problem.line - 1]
    assert "type: datetime" in line
    assert "parameters[" in problem.detail and "date" in problem.detail
    assert "pilot-sandbox" not in library.templates


def test_manifest_name_must_be_its_directory(templates_dir: Path, copy_template):
    copy_template("pilot-sandbox")
    (templates_dir / "pilot-sandbox").rename(templates_dir / "trial")
    [problem] = open_library([templates_dir]).problems
    assert "expected the directory's name 'trial'" in problem.message


def test_policy_restricts_and_later_directories_override(templates_dir: Path, copy_template):
    copy_template("ccas-health")
    (templates_dir / "policy.yaml").write_text(
        "apiVersion: civicloud/v1\nkind: TemplatePolicy\nallowed: [ccas-health, pilot-sandbox]\n")
    library = open_library([PROJECT, templates_dir])
    assert library.problems == []
    assert [t.name for t in library.usable] == ["ccas-health", "pilot-sandbox"]
    assert library.templates["ccas-health"].directory == templates_dir / "ccas-health"
    assert not library.is_allowed("communal-website")
    assert "not allowed by" in library.refusal("communal-website")
    assert str(templates_dir / "policy.yaml") in library.refusal("communal-website")


def test_bad_policy_file_is_located(templates_dir: Path, copy_template):
    (templates_dir / "policy.yaml").write_text(
        "apiVersion: civicloud/v1\nkind: TemplatePolicy\nallowed: Communal Website\n")
    [problem] = open_library([templates_dir]).problems
    assert (problem.line, problem.path) == (3, ("allowed",))
