"""Benchmark: `civicloud apply` of the example community tenant on the local cloud, against the
same resources created by an Ansible openstack.cloud playbook (bench/ansible_baseline/) run beside
it; and a no-op re-apply against the first apply, counting its write calls (must be 0), both
as `apply` runs by default (reading every resource back first, to repair drift) and with
`--no-refresh` (from state alone).

    .venv/bin/python bench/apply_bench.py [--runs 1]

Needs the local cloud (`scripts/local-cloud up`). Ansible runs from its own virtualenv,
.local-cloud/venv-ansible-bench (created on first use: the `ansible` package's openstack.cloud 2.x
needs openstacksdk < 4.8, civicloud's own venv has a newer one). Each civicloud run is a child
process (CLI start-up included, like ansible-playbook's) whose HTTP requests are counted by
method where every client sends them (urllib3, under both openstacksdk and boto3).
Everything created is deleted at the end.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ANSIBLE_VENV = ROOT / ".local-cloud" / "venv-ansible-bench"
PLAYBOOK = ROOT / "bench" / "ansible_baseline" / "tenant.yml"
WRITES = ("POST", "PUT", "PATCH", "DELETE")
PASSPHRASE = {"CIVICLOUD_STATE_PASSPHRASE": "bench passphrase"}


def child_env() -> dict[str, str]:
    # Python as a sysadmin runs it: bytecode cached after the first run (some CI shells set
    # PYTHONDONTWRITEBYTECODE, which would recompile every module on every run).
    env = {**os.environ, **PASSPHRASE}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def child(out: Path, args: list[str]) -> None:
    """Runs the civicloud CLI in this process, counting HTTP requests by method."""
    import urllib3.connectionpool

    counts: Counter[str] = Counter()
    original = urllib3.connectionpool.HTTPConnectionPool.urlopen

    def counting(self, method, url, *a, **kw):
        # A Keystone login (POST /v3/auth/tokens, one per client thread) changes nothing on
        # the backends: counted apart from the writes.
        login = method.upper() == "POST" and url.split("?")[0].endswith("/auth/tokens")
        counts["LOGIN" if login else method.upper()] += 1
        return original(self, method, url, *a, **kw)

    urllib3.connectionpool.HTTPConnectionPool.urlopen = counting
    atexit.register(lambda: out.write_text(json.dumps(counts)))
    from civicloud.main import cli

    cli(args, prog_name="civicloud")


def civicloud(*args: str) -> tuple[float, Counter[str]]:
    with tempfile.NamedTemporaryFile(suffix=".json") as counts:
        start = time.perf_counter()
        done = subprocess.run([sys.executable, __file__, "--child", counts.name, *args],
                              cwd=ROOT, env=child_env(), capture_output=True,
                              text=True, check=False)
        seconds = time.perf_counter() - start
        if done.returncode != 0:
            sys.exit(f"civicloud {' '.join(args)} failed ({done.returncode}):\n"
                     f"{done.stdout[-3000:]}{done.stderr[-3000:]}")
        return seconds, Counter(json.loads(Path(counts.name).read_text()))


def ensure_ansible() -> Path:
    playbook = ANSIBLE_VENV / "bin" / "ansible-playbook"
    if not playbook.exists():
        print(f"creating {ANSIBLE_VENV} (ansible + openstacksdk<4.8 + boto3)...", flush=True)
        subprocess.run(["uv", "venv", "--quiet", str(ANSIBLE_VENV)], check=True)
        subprocess.run(["uv", "pip", "install", "--quiet", "--python",
                        str(ANSIBLE_VENV / "bin" / "python"), "ansible>=10", "openstacksdk<4.8",
                        "boto3"], check=True)
    return playbook


def ansible_clouds(prefix: str, directory: Path) -> Path:
    """clouds.yaml for the playbook: the operator (`admin`) and the same scoped to the tenant."""
    import yaml

    from civicloud import localcloud

    local = yaml.safe_load(localcloud.clouds_yaml_path().read_text())["clouds"]
    admin = local[localcloud.CLOUD_NAME]
    tenant = {**admin, "auth": {**admin["auth"], "project_name": prefix}}
    path = directory / "clouds.yaml"
    path.write_text(yaml.safe_dump({"clouds": {"admin": admin, "tenant": tenant}}))
    return path


def ansible(prefix: str, state: str, pubkey: str, clouds: Path) -> float:
    from civicloud import localcloud

    env = {**os.environ, "OS_CLIENT_CONFIG_FILE": str(clouds),
           "AWS_SHARED_CREDENTIALS_FILE": str(localcloud.s3_credentials_path()),
           "ANSIBLE_PYTHON_INTERPRETER": str(ANSIBLE_VENV / "bin" / "python"),
           "ANSIBLE_LOCALHOST_WARNING": "false", "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false"}
    start = time.perf_counter()
    done = subprocess.run(
        [str(ensure_ansible()), "-i", "localhost,", "-c", "local", str(PLAYBOOK),
         "-e", f"prefix={prefix}", "-e", f"state={state}", "-e", f"pubkey='{pubkey}'"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"ansible-playbook ({state}) failed:\n{done.stdout[-4000:]}{done.stderr[-2000:]}")
    return seconds


def tenant_copy(name: str, directory: Path) -> tuple[Path, str]:
    import yaml

    doc = yaml.safe_load((ROOT / "examples" / "vence-community.yaml").read_text())
    doc["metadata"]["name"] = name
    doc["metadata"].pop("syndicate", None)
    path = directory / f"{name}.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path, doc["compute"]["keypairs"][0]["public_key"]


def writes(counts: Counter[str]) -> int:
    return sum(counts[m] for m in WRITES)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=1, help="runs of each side (median shown)")
    options = parser.parse_args()
    ensure_ansible()
    firsts, noops, blind_noops, baselines, noop_writes, first_counts = [], [], [], [], [], Counter()
    with tempfile.TemporaryDirectory(prefix="apply-bench-") as tmp:
        work = Path(tmp)
        for _ in range(options.runs):
            run = uuid.uuid4().hex[:6]
            name, prefix = f"bc{run}", f"ba{run}"
            tenant, pubkey = tenant_copy(name, work)
            state = ["--state", str(work / "state")]
            clouds = ansible_clouds(prefix, work)
            try:
                seconds, first_counts = civicloud("apply", str(tenant), "--yes", *state)
                firsts.append(seconds)
                seconds, counts = civicloud("apply", str(tenant), "--yes", *state)
                noops.append(seconds)
                noop_writes.append(writes(counts))
                seconds, counts = civicloud("apply", str(tenant), "--yes", "--no-refresh", *state)
                blind_noops.append(seconds)
                noop_writes.append(writes(counts))
                baselines.append(ansible(prefix, "present", pubkey, clouds))
            finally:
                civicloud("destroy", name, "--force", "--yes", *state)
                ansible(prefix, "absent", pubkey, clouds)
    first, noop, blind, baseline = (statistics.median(x)
                                    for x in (firsts, noops, blind_noops, baselines))
    print(f"example community tenant (29 resources) on the local cloud, median of {options.runs}")
    print(f"  Ansible openstack.cloud playbook, first run : {baseline:7.1f} s")
    print(f"  civicloud apply, first run                  : {first:7.1f} s "
          f"({sum(first_counts.values())} HTTP requests, {writes(first_counts)} writes)")
    print(f"  ratio Ansible / civicloud                   : {baseline / first:7.1f}x "
          "(target >= 3x)")
    print(f"  no-op re-apply, reading the backends back   : {noop:7.1f} s "
          f"(the default: repairs drift)")
    print(f"  ratio first apply / no-op re-apply          : {first / noop:7.1f}x")
    print(f"  no-op re-apply --no-refresh (state alone)   : {blind:7.1f} s")
    print(f"  ratio first apply / no-op --no-refresh      : {first / blind:7.1f}x (target >= 10x)")
    print(f"  write calls of the no-op re-applies         : {max(noop_writes):7d}   (must be 0; "
          "Keystone logins not counted)")
    if max(noop_writes):
        sys.exit("a no-op re-apply made write calls")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child(Path(sys.argv[2]), sys.argv[3:])
    else:
        main()
