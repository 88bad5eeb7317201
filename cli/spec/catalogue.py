"""The backend catalogue (`kind: Catalogue`): where each backend is, whose law applies, what
it is qualified for and what it costs. Connection details only name credentials (a clouds.yaml
entry, an S3 credentials profile): credentials themselves never live here."""

# Mutable defaults are safe on pydantic models (copied per instance).
# ruff: noqa: RUF012

from __future__ import annotations

from typing import Literal

from civicloud.spec.fields import Count, Country, Jurisdiction, Model, Money, Name, Slug, Text

Service = Literal["compute", "block_storage", "network", "identity", "image", "object_storage"]


class Prices(Model):
    """Euros, excluding VAT."""

    vcpu_hour: Money | None = None
    ram_gb_hour: Money | None = None
    volume_gb_month: Money | None = None
    object_gb_month: Money | None = None
    egress_gb: Money | None = None


class Reversibility(Model):
    export_formats: list[Slug] = []
    switch_notice_days: Count | None = None
    egress_fee_on_switch: Money | None = None
    retrieval_days: Count | None = None


class Backend(Model):
    name: Name
    kind: Literal["openstack", "s3"]
    cloud: Text | None = None        # openstack: entry of clouds.yaml
    external_network: Text | None = None  # openstack: network of router gateways ("public")
    volume_type: Text | None = None  # openstack: the encrypted volume type ("encrypted")
    endpoint: Text | None = None     # s3: URL of the S3 API
    profile: Text | None = None      # s3: profile of the AWS-format credentials file
    identity: Text | None = None     # s3: civicloud's own principal, kept in bucket policies
    provider: Text
    region: Text
    country: Country
    jurisdiction: Jurisdiction
    eea: bool
    status: Literal["active", "deprecated", "shutdown"] = "active"
    qualifications: dict[Service, list[Slug]] = {}
    prices: Prices = Prices()
    reversibility: Reversibility = Reversibility()
    notes: str = ""
    verified: bool = False           # true once every fact above was checked against `sources`
    sources: list[Text] = []


class Catalogue(Model):
    apiVersion: Literal["civicloud/v1"]
    kind: Literal["Catalogue"]
    backends: list[Backend] = []
