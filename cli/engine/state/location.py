"""Where state lives, as one URL shared by both engines.

    file://PATH (or a plain path)      a local directory (default: .civicloud/state)
    s3://BUCKET/PREFIX?endpoint=URL&profile=NAME&region=R
                                       an S3 bucket; keys from the shared-credentials profile

The embedded engine reads and writes `<location>/<stack>.json`; the Pulumi CLI gets the
matching backend URL (its own layout lives under `.pulumi/` in the same place).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse

from civicloud.engine.errors import InvalidOption
from civicloud.engine.state.local import DEFAULT_DIR, LocalStateStore
from civicloud.engine.state.store import StateStore


@dataclass(frozen=True)
class StateLocation:
    kind: str  # file | s3
    path: Path | None = None
    bucket: str = ""
    prefix: str = ""
    endpoint: str | None = None
    profile: str | None = None
    region: str = "us-east-1"

    def store(self) -> StateStore:
        if self.kind == "file":
            assert self.path is not None
            return LocalStateStore(self.path)
        from civicloud.engine.state.s3 import S3StateStore

        return S3StateStore(self.bucket, self.prefix, endpoint=self.endpoint,
                            profile=self.profile, region=self.region)

    def pulumi_backend_url(self) -> str:
        """The same place, spelled for the Pulumi CLI's DIY backends."""
        if self.kind == "file":
            assert self.path is not None
            return f"file://{self.path.resolve()}"
        query: dict[str, str] = {"region": self.region}
        if self.endpoint:
            parsed = urlparse(self.endpoint)
            query.update(endpoint=parsed.netloc or self.endpoint, s3ForcePathStyle="true")
            if parsed.scheme == "http":
                query["disableSSL"] = "true"
        if self.profile:
            query["profile"] = self.profile
        prefix = f"/{self.prefix}" if self.prefix else ""
        return f"s3://{self.bucket}{prefix}?{urlencode(query)}"


def parse_state_url(url: str | None) -> StateLocation:
    if not url:
        return StateLocation("file", path=DEFAULT_DIR)
    parsed = urlparse(url)
    if parsed.scheme in ("", "file"):
        return StateLocation("file", path=Path(parsed.netloc + parsed.path if parsed.scheme
                                               else url))
    if parsed.scheme == "s3":
        if not parsed.netloc:
            raise InvalidOption(f"--state {url}: expected s3://BUCKET/PREFIX?endpoint=...")
        q = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
        unknown = set(q) - {"endpoint", "profile", "region"}
        if unknown:
            raise InvalidOption(f"--state {url}: unknown parameter(s) {', '.join(sorted(unknown))}"
                              " (expected endpoint, profile, region)")
        return StateLocation("s3", bucket=parsed.netloc, prefix=parsed.path.strip("/"),
                             endpoint=q.get("endpoint"), profile=q.get("profile"),
                             region=q.get("region", "us-east-1"))
    raise InvalidOption(f"--state {url}: expected a directory, file://PATH or s3://BUCKET/PREFIX")
