"""`civicloud init`: a tenant file from a template, non-interactively (--template/--set) and
interactively through a pseudo-terminal (the real console script driven by pexpect)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pexpect
import pytest

from civicloud.paths import project_path
from civicloud.spec import load

pytestmark = pytest.mark.e2e
CIVICLOUD = Path(sys.executable).with_name("civicloud")
KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIH3nBmQ8v0Yc5Xq2g3R0kq7eN2Qw6jv1Zs0r9c4vS5Xy admin@vence"
IDENTITY = ("--set", "tenant_name=vence-web", "--set", "authority=Commune de Vence",
            "--set", "siren=210601522", "--set", "contact=dsi@ville-vence.example",
            "--set", f"admin_ssh_key={KEY}")
DOWN, ENTER, BACKSPACE = "\x1b[B", "\r", "\x7f"


def loads_cleanly(path: Path) -> dict:
    bundle = load([path], [project_path("catalogue")])
    assert bundle.ok, [str(p) for p in bundle.problems.items]
    [tenant] = bundle.tenants
    return tenant.model


def test_non_interactive_init_writes_a_commented_valid_tenant(civicloud, tmp_path):
    out = tmp_path / "vence-web.yaml"
    run = civicloud("init", "--template", "communal-website", *IDENTITY,
                    "--set", "web_servers=2", "--set", "public_ip=oui", "--output", str(out))
    assert run.exit_code == 0, run.output
    assert f"Wrote {out} from template 'communal-website'" in run.stderr
    text = out.read_text()
    assert text.startswith("# Made with `civicloud init` from the template 'communal-website'")
    assert "#   web_servers: 2" in text
    assert "# every volume is encrypted (CIVIC-ENC-1)" in text
    tenant = loads_cleanly(out)
    assert tenant.metadata.name == "vence-web"
    assert [s.name for s in tenant.compute.servers] == ["web-1", "web-2"]
    assert all(s.public_ip for s in tenant.compute.servers)
    assert tenant.compute.quotas.floating_ips == 2


def test_default_output_is_tenants_slash_name(civicloud_process, tmp_path):
    run = civicloud_process("init", "--template", "pilot-sandbox", *IDENTITY,
                            "--set", "owner=chef@ville-vence.example", "--set", "budget_eur=300",
                            cwd=tmp_path)
    assert run.exit_code == 0, run.output
    tenant = loads_cleanly(tmp_path / "tenants" / "vence-web.yaml")
    assert tenant.type == "sandbox" and tenant.sandbox.budget_eur == 300


def test_validation_report_in_json(civicloud, tmp_path):
    out = tmp_path / "t.yaml"
    run = civicloud("init", "--template", "ccas-health", *IDENTITY, "--output", str(out),
                    "--format", "json")
    assert run.exit_code == 0, run.output
    json.loads(run.stdout)  # stdout is the report alone; the messages go to stderr


def test_missing_required_values_without_a_terminal(civicloud, tmp_path):
    out = tmp_path / "t.yaml"
    run = civicloud("init", "--template", "ccas-health", "--set", "tenant_name=vence-ccas",
                    "--output", str(out))
    assert run.exit_code == 2
    for name in ("authority", "siren", "contact", "admin_ssh_key"):
        assert f"  {name} (string): " in run.stderr
    assert "tenant_name (" not in run.stderr
    assert not out.exists()


def test_no_template_without_a_terminal_is_invalid_input(civicloud):
    run = civicloud("init")
    assert run.exit_code == 2
    assert "give --template NAME" in run.stderr


def test_bad_values_are_invalid_input_with_expected_and_found(civicloud, tmp_path):
    out = str(tmp_path / "t.yaml")
    run = civicloud("init", "-t", "communal-website", *IDENTITY, "--set", "web_servers=12",
                    "--output", out)
    assert run.exit_code == 2
    assert "--set web_servers=12: web_servers: expected at most 3, got 12" in run.stderr
    typo = civicloud("init", "-t", "communal-website", *IDENTITY, "--set", "flavour=m1.small",
                     "--output", out)
    assert typo.exit_code == 2
    assert "has no parameter 'flavour' (did you mean 'flavor'?)" in typo.stderr
    assert not Path(out).exists()


def test_existing_file_needs_force(civicloud, tmp_path):
    out = tmp_path / "t.yaml"
    out.write_text("# mine\n")
    args = ("init", "-t", "ccas-health", *IDENTITY, "--output", str(out))
    run = civicloud(*args)
    assert run.exit_code == 2
    assert "exists: give --force" in run.stderr
    assert out.read_text() == "# mine\n"
    forced = civicloud(*args, "--force")
    assert forced.exit_code == 0, forced.output
    assert loads_cleanly(out).classification == "health"


def test_template_not_allowed_by_the_syndicate_is_denied(civicloud, tmp_path):
    templates = tmp_path / "sictiam"
    templates.mkdir()
    (templates / "policy.yaml").write_text(
        "apiVersion: civicloud/v1\nkind: TemplatePolicy\nallowed: [pilot-sandbox]\n")
    out = tmp_path / "t.yaml"
    run = civicloud("init", "-t", "ccas-health", *IDENTITY, "--output", str(out),
                    "--templates", str(templates))
    assert run.exit_code == 3
    assert f"template 'ccas-health' is not allowed by {templates / 'policy.yaml'}" in run.stderr
    assert not out.exists()


def spawn(tmp_path: Path, *args: str) -> pexpect.spawn:
    env = {**os.environ, "PROMPT_TOOLKIT_NO_CPR": "1", "TERM": "xterm", "NO_COLOR": "1",
           "LANG": "C.UTF-8"}
    return pexpect.spawn(str(CIVICLOUD), ["init", *args], cwd=str(tmp_path), env=env,
                         encoding="utf-8", timeout=60, dimensions=(50, 200))


def test_interactive_init_in_a_terminal(tmp_path):
    child = spawn(tmp_path, "--output", "web.yaml")
    child.expect("Template:")
    child.send(DOWN + ENTER)                  # ccas-health, then communal-website
    child.expect("tenant_name — Short tenant name")
    child.sendline("vence-web")
    child.expect("authority — Official name")
    child.sendline("Commune de Vence")
    child.expect("authority_type")
    child.send(DOWN + ENTER)                  # epci
    child.expect("siren")
    child.send("21060152")
    child.expect("got '21060152'")           # checked as it is typed (prompt_toolkit redraws
                                             # only what changed: match the message's end)
    child.sendline("2")
    child.expect("contact")
    child.sendline("dsi@ville-vence.example")
    child.expect("admin_ssh_key")
    child.sendline(KEY)
    child.expect("web_servers")
    child.sendline(BACKSPACE + "2")           # the default 1 is pre-filled
    child.expect("flavor")
    child.send(ENTER)
    child.expect("media_encryption")
    child.send(DOWN + ENTER)                  # sse-kms
    child.expect("public_ip")
    child.sendline("n")
    child.expect("Write web.yaml")
    child.sendline("y")
    child.expect("validating it")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    tenant = loads_cleanly(tmp_path / "web.yaml")
    assert tenant.metadata.authority_type == "epci"
    assert [s.name for s in tenant.compute.servers] == ["web-1", "web-2"]
    assert tenant.storage.buckets[0].encryption == "sse-kms"
    assert not any(s.public_ip for s in tenant.compute.servers)
    assert tenant.compute.keypairs[0].public_key == KEY


def test_interactive_init_asks_only_what_set_did_not_give(tmp_path):
    child = spawn(tmp_path, "-t", "pilot-sandbox", *IDENTITY, "--set", "flavor=m1.tiny",
                  "--set", "classification=internal", "--set", "with_bucket=false",
                  "--set", "authority_type=commune")
    child.expect("owner")
    child.sendline("chef@ville-vence.example")
    child.expect("expires")
    child.send("\x15")                        # Ctrl-U: clear the pre-filled date
    child.sendline("2020-01-01")              # refused as typed (min today+1)...
    child.expect("got 2020-01-01")
    child.send("\x15")
    child.sendline("today+30")                # ...then a valid one
    child.expect("budget_eur")
    child.sendline("")                        # keep the default
    child.expect(r"Write tenants/vence-web\.yaml")
    child.sendline("y")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    tenant = loads_cleanly(tmp_path / "tenants" / "vence-web.yaml")
    assert (tenant.sandbox.owner, tenant.sandbox.budget_eur) == ("chef@ville-vence.example", 200)
    assert tenant.storage is None and tenant.classification == "internal"


def test_interrupted_init_writes_nothing(tmp_path):
    child = spawn(tmp_path, "-t", "ccas-health", "--output", "t.yaml")
    child.expect("tenant_name")
    child.sendcontrol("c")
    child.expect("Interrupted: nothing written")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1
    assert not (tmp_path / "t.yaml").exists()
