"""Tiny tenants on the real local cloud for the drift and sandbox tests (no test here).

Each tenant is one network, one server, one security-group rule and one bucket, with a name
unique to the run and its own state directory. It is applied and refreshed through the engine
API (what `civicloud apply` runs) and read back with openstacksdk/boto3 by the tests.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from datetime import date
from pathlib import Path

import yaml

from civicloud.paths import PROJECT_ROOT

CIVICLOUD = Path(sys.executable).with_name("civicloud")
PASSPHRASE = "drift test passphrase"
PUBLIC_KEY = ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIH3nBmQ8v0Yc5Xq2g3R0kq7eN2Qw6jv1Zs0r9c4vS5Xy "
              "admin@drift-test")
ENV = {**os.environ, "CIVICLOUD_STATE_PASSPHRASE": PASSPHRASE, "NO_COLOR": "1",
       "COLUMNS": "200"}


def tenant_doc(name: str, kind: str = "community", expires: date | None = None,
               budget: float = 300) -> dict:
    doc = {
        "apiVersion": "civicloud/v1", "kind": "Tenant",
        "metadata": {"name": name, "authority": "Commune de Test", "authority_type": "commune",
                     "siren": "200030195", "contact": "dsi@test.example"},
        "type": kind, "classification": "internal",
        "compute": {
            "backend": "local-openstack",
            "quotas": {"instances": 2, "cores": 4, "ram_mb": 8192, "volumes": 1,
                       "gigabytes": 20, "floating_ips": 0},
            "networks": [{"name": "main", "subnets": [{"name": "main-v4",
                                                       "cidr": "10.98.0.0/24"}]}],
            "keypairs": [{"name": "admin", "public_key": PUBLIC_KEY}],
            "security_groups": [{"name": "web", "rules": [
                {"direction": "ingress", "protocol": "tcp", "port": 443,
                 "remote": "10.0.0.0/8"}]}],
            "servers": [{"name": "app", "flavor": "m1.small", "image": "debian-12",
                         "network": "main", "keypair": "admin", "security_groups": ["web"]}],
        },
        "storage": {"backend": "local-s3-fr",
                    "buckets": [{"name": "data", "encryption": "sse-s3"}]},
    }
    if kind == "sandbox":
        doc["classification"] = "public"
        doc["sandbox"] = {"expires": (expires or date.today()).isoformat(),
                          "budget_eur": budget, "owner": "pilote@test.example"}
    return doc


class LiveTenant:
    """A tenant file in `directory`, with the state in `state`."""

    def __init__(self, directory: Path, state: Path, prefix: str, **kind) -> None:
        self.name = f"{prefix}{uuid.uuid4().hex[:7]}"
        self.state = state
        directory.mkdir(parents=True, exist_ok=True)
        self.file = directory / f"{self.name}.yaml"
        self.file.write_text(yaml.safe_dump(tenant_doc(self.name, **kind), sort_keys=False))

    def _engine(self):
        import civicloud.stacks.resources  # noqa: F401
        from civicloud.engine.embedded import EmbeddedEngine
        from civicloud.engine.state.local import LocalStateStore

        return EmbeddedEngine(LocalStateStore(self.state), passphrase=PASSPHRASE)

    def _job(self):
        from civicloud.commands._tenants import load_jobs

        return load_jobs((self.file,), ())[1][0]

    def up(self) -> None:
        engine, job = self._engine(), self._job()
        result = engine.up(job.stack(), job.program())
        assert result.ok, result.errors

    def destroy(self) -> None:
        result = self._engine().destroy(self._job().stack())
        assert result.ok, result.errors

    def cli(self, *args: str, timeout: float = 300, state: bool = True
            ) -> subprocess.CompletedProcess:
        state_args = ("--state", str(self.state)) if state else ()
        return subprocess.run([str(CIVICLOUD), *args, *state_args],
                              cwd=PROJECT_ROOT, env=ENV, capture_output=True, text=True,
                              timeout=timeout, check=False)

    def project(self, conn):
        return conn.identity.find_project(self.name)
