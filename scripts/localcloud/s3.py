"""Two SeaweedFS S3 servers standing for two providers in two countries (the hybrid case).

Each `weed mini` gets its own data directory and its own set of ports, so they share nothing.
Authentication is on (identities in `-s3.config`), telemetry off, and a local KMS serves SSE-KMS
(its master key lives in memory: SSE-KMS objects do not survive a restart, SSE-S3/SSE-C ones do).
SeaweedFS has no notion of region: the region label is civicloud's, not the server's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from civicloud.localcloud.credentials import write_private
from civicloud.localcloud.layout import HOST, Layout
from civicloud.localcloud.services import Service

KMS_KEY_ALIAS = "alias/seaweedfs-default"


@dataclass(frozen=True)
class S3Provider:
    service: str  # process name, and the backend name in catalogue/local.yaml
    profile: str  # profile in the credentials file
    region: str  # label only: SeaweedFS neither reports nor enforces it
    s3_port: int
    master_port: int
    volume_port: int
    filer_port: int
    admin_port: int
    access_key: str
    secret_key: str

    @property
    def endpoint(self) -> str:
        return f"http://{HOST}:{self.s3_port}"


# Fixed, local-only keys: these servers listen on 127.0.0.1 and hold throwaway data.
PROVIDERS = [
    S3Provider("local-s3-fr", "local-fr", "fr-par-local", 8333, 9333, 9340, 8888, 23646,
               "LOCALFRADMIN00000001", "local-fr-admin-secret-not-for-production-1"),
    S3Provider("local-s3-de", "local-de", "de-fra-local", 8433, 9433, 9440, 8988, 23746,
               "LOCALDEADMIN00000001", "local-de-admin-secret-not-for-production-1"),
]  # fmt: skip
ADMIN_ACTIONS = ["Admin", "Read", "List", "Tagging", "Write"]


def _s3_config(provider: S3Provider) -> str:
    return json.dumps(
        {
            "identities": [
                {
                    "name": "admin",
                    "credentials": [
                        {"accessKey": provider.access_key, "secretKey": provider.secret_key}
                    ],
                    "actions": ADMIN_ACTIONS,
                }
            ],
            # without a KMS provider a PUT into an aws:kms bucket answers 500
            "kms": {"default_provider": "local", "providers": {"local": {"type": "local"}}},
        },
        indent=2,
    )


def services(layout: Layout) -> list[Service]:
    weed = layout.s3_venv / "bin" / "weed"
    result = []
    for p in PROVIDERS:
        config = layout.etc / "s3" / f"{p.service}.json"
        data = layout.data / p.service
        result.append(
            Service(
                name=p.service,
                argv=[
                    str(weed),
                    "mini",
                    f"-dir={data}",
                    f"-s3.config={config}",
                    # never the host's address, never 0.0.0.0, never phone home
                    f"-ip={HOST}",
                    f"-ip.bind={HOST}",
                    "-master.telemetry=false",
                    "-webdav=false",
                    "-admin.ui=false",
                    "-s3.port.iceberg=0",
                    "-s3.port.lance=0",
                    f"-s3.port={p.s3_port}",
                    f"-master.port={p.master_port}",
                    f"-volume.port={p.volume_port}",
                    f"-filer.port={p.filer_port}",
                    f"-admin.port={p.admin_port}",
                    f"-filer.localSocket={layout.run / (p.service + '-filer.sock')}",
                ],
                url=p.endpoint,
                http=True,
            )
        )
    return result


def write_configs(layout: Layout) -> None:
    """The servers' identity files, plus the AWS-style files clients (boto3, aws CLI) read."""
    credentials, config = [], []
    for p in PROVIDERS:
        (layout.data / p.service).mkdir(parents=True, exist_ok=True)
        write_private(layout.etc / "s3" / f"{p.service}.json", _s3_config(p))
        credentials.append(
            f"[{p.profile}]\naws_access_key_id = {p.access_key}\n"
            f"aws_secret_access_key = {p.secret_key}\n"
        )
        config.append(
            f"[profile {p.profile}]\nregion = {p.region}\nendpoint_url = {p.endpoint}\n"
            "s3 =\n    addressing_style = path\n"
        )
    write_private(layout.s3_credentials, "\n".join(credentials))
    write_private(layout.s3_config, "\n".join(config))
