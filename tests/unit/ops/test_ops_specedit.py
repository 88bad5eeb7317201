"""Tenant file edits change only the value they must: comments and layout stay."""

from __future__ import annotations

from datetime import date

from civicloud.ops.specedit import set_expiry, to_community

TEXT = """\
# A pilot.
apiVersion: civicloud/v1
kind: Tenant
type: sandbox          # for now
sandbox:
  expires: 2027-01-31  # at most 90 days ahead
  budget_eur: 300
  owner: o@x.fr

# The storage.
storage:
    buckets:
        - {name: d, encryption: sse-s3}
"""


def test_extend_changes_the_expiry_value_only():
    out = set_expiry(TEXT, date(2027, 3, 1))
    assert out == TEXT.replace("2027-01-31", "2027-03-01")


def test_extend_keeps_quotes_and_flow_style():
    text = 'type: sandbox\nsandbox: {expires: "2027-01-31", budget_eur: 3}\n'
    assert set_expiry(text, date(2027, 2, 1)) == text.replace("2027-01-31", "2027-02-01")
    text = "type: sandbox\nsandbox:\n  expires: '2027-01-31'\n"
    assert set_expiry(text, date(2027, 2, 1)) == text.replace("2027-01-31", "2027-02-01")


def test_promote_rewrites_type_and_drops_the_sandbox_block_keeping_the_rest():
    out = to_community(TEXT)
    assert out == """\
# A pilot.
apiVersion: civicloud/v1
kind: Tenant
type: community          # for now

# The storage.
storage:
    buckets:
        - {name: d, encryption: sse-s3}
"""
