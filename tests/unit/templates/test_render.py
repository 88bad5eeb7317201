from pathlib import Path

import pytest

from civicloud.spec import load
from civicloud.spec.yamlsource import parse_text
from civicloud.templates.library import open_library
from civicloud.templates.render import RenderError, render

VALUES = {"tenant_name": "vence-web", "authority": "Commune d'Èze: \"centre\"\n# x",
          "authority_type": "commune", "siren": "210601522", "contact": "dsi@eze.example",
          "web_servers": 2, "flavor": "m1.small", "media_encryption": "sse-kms",
          "public_ip": False, "admin_ssh_key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIH3nBmQ8v0Yc5"
          "Xq2g3R0kq7eN2Qw6jv1Zs0r9c4vS5Xy admin@vence"}


def test_answers_are_quoted_so_they_cannot_change_the_document(templates_dir: Path, copy_template):
    copy_template("communal-website")
    template = open_library([templates_dir]).templates["communal-website"]
    [document], problems = parse_text(render(template, VALUES), "rendered")
    assert problems == []
    assert document.data["metadata"]["authority"] == VALUES["authority"]
    assert document.data["metadata"]["name"] == "vence-web"
    assert [s["name"] for s in document.data["compute"]["servers"]] == ["web-1", "web-2"]
    assert document.data["storage"]["buckets"][0]["kms_key"] == "alias/seaweedfs-default"


def test_rendered_tenant_has_comments_and_loads(templates_dir: Path, tmp_path: Path, copy_template):
    copy_template("communal-website")
    template = open_library([templates_dir]).templates["communal-website"]
    text = render(template, {**VALUES, "authority": "Commune de Vence"})
    assert "# a local authority: its data stay in France" in text
    path = tmp_path / "t.yaml"
    path.write_text(text)
    bundle = load([path], [Path("catalogue")])
    assert bundle.ok, bundle.problems.items


def test_undefined_name_names_the_template_file(templates_dir: Path, copy_template):
    directory = copy_template("communal-website")
    tenant = directory / "tenant.yaml.j2"
    tenant.write_text(tenant.read_text() + "# {{ colour }}\n")
    template = open_library([templates_dir]).templates["communal-website"]
    with pytest.raises(RenderError, match=r"tenant\.yaml\.j2: 'colour' is undefined"):
        render(template, VALUES)


def test_syntax_error_names_file_and_line(templates_dir: Path, copy_template):
    directory = copy_template("communal-website")
    (directory / "tenant.yaml.j2").write_text("a: 1\nb: {% if %}\n")
    template = open_library([templates_dir]).templates["communal-website"]
    with pytest.raises(RenderError, match=r"tenant\.yaml\.j2:2: template syntax error"):
        render(template, VALUES)
