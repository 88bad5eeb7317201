"""The S3 state store on the project's real local S3 server (SeaweedFS, `scripts/local-cloud up`).

Checks conditional-put locking (one holder, a clear wait/fail for the second, takeover of an
expired lease), lease renewal, and a full engine run with its state in a bucket.
"""

from __future__ import annotations

import json
import threading
import time
import uuid

import boto3
import pytest
from botocore.config import Config
from engine_constants import PASSPHRASE, STACK
from engine_programs import two_tier

from civicloud.engine.embedded import EmbeddedEngine
from civicloud.engine.errors import StateLocked
from civicloud.engine.state.s3 import S3StateStore
from civicloud.paths import project_path

pytestmark = pytest.mark.integration

ENDPOINT = "http://127.0.0.1:8333"
PROFILE = "local-fr"


@pytest.fixture
def bucket(monkeypatch):
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE",
                       str(project_path(".local-cloud", "s3-credentials")))
    s3 = boto3.session.Session(profile_name=PROFILE, region_name="us-east-1").client(
        "s3", endpoint_url=ENDPOINT, config=Config(s3={"addressing_style": "path"}))
    name = f"civicloud-state-test-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=name)
    yield name
    for obj in s3.list_objects_v2(Bucket=name).get("Contents", []):
        s3.delete_object(Bucket=name, Key=obj["Key"])
    s3.delete_bucket(Bucket=name)


def store(bucket: str, lease: float = 60.0) -> S3StateStore:
    return S3StateStore(bucket, "teams/syndicat", endpoint=ENDPOINT, profile=PROFILE,
                        lease=lease)


def test_engine_runs_with_state_in_a_bucket(bucket, cloud):
    engine = EmbeddedEngine(store(bucket), passphrase=PASSPHRASE, lock_timeout=5)
    program = two_tier(str(cloud.path))
    assert engine.up(STACK, program).ok
    doc = store(bucket).read("dev")
    assert doc is not None and doc["version"] == 3
    assert {r["id"] for r in doc["deployment"]["resources"] if r.get("id")} == set(
        cloud.resources())
    assert list(store(bucket).stacks()) == ["dev"]
    cloud.clear_calls()
    assert engine.preview(STACK, program).changes == []
    assert engine.destroy(STACK).ok and cloud.resources() == {}


def test_second_holder_waits_then_fails_naming_the_first(bucket):
    first, second = store(bucket), store(bucket)
    waits: list[str] = []
    with first.lock("dev", "up", 5, waits.append):
        started = time.monotonic()
        with (pytest.raises(StateLocked, match=r"still locked after 2 s: up by .* \(pid \d+\)"),
              second.lock("dev", "destroy", 2, waits.append)):
            pass
        assert time.monotonic() - started >= 2
    assert len(waits) == 1 and waits[0].startswith("stack dev is locked: destroy waits")
    with second.lock("dev", "destroy", 2, waits.append):  # released: free to take
        pass


def test_a_waiting_holder_gets_the_lock_when_released(bucket):
    first, second = store(bucket), store(bucket)
    order: list[str] = []

    def hold() -> None:
        with first.lock("dev", "up", 5, order.append):
            order.append("first in")
            time.sleep(1.5)
            order.append("first out")

    t = threading.Thread(target=hold)
    t.start()
    time.sleep(0.5)
    with second.lock("dev", "up", 10, lambda m: order.append("second waits")):
        order.append("second in")
    t.join()
    assert order == ["first in", "second waits", "first out", "second in"]


def test_a_lock_left_by_a_killed_run_is_taken_over_once_its_lease_expired(bucket):
    s3 = boto3.session.Session(profile_name=PROFILE, region_name="us-east-1").client(
        "s3", endpoint_url=ENDPOINT, config=Config(s3={"addressing_style": "path"}))
    stale = {"pid": 1, "host": "gone", "user": "ops", "operation": "up", "since": "earlier",
             "token": "t", "expires": time.time() - 1}
    s3.put_object(Bucket=bucket, Key="teams/syndicat/dev.lock", Body=json.dumps(stale).encode())
    waits: list[str] = []
    with store(bucket).lock("dev", "up", 5, waits.append):
        body = json.loads(s3.get_object(Bucket=bucket, Key="teams/syndicat/dev.lock")["Body"]
                          .read())
        assert body["host"] != "gone" and body["expires"] > time.time()
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket, Prefix="teams/syndicat/dev.lock")


def test_renewal_keeps_a_long_run_locked(bucket):
    holder, other = store(bucket, lease=1.5), store(bucket)
    with holder.lock("dev", "up", 5, print):
        time.sleep(3.0)  # two lease lengths: alive only because it is renewed
        with pytest.raises(StateLocked), other.lock("dev", "up", 1, lambda m: None):
            pass
