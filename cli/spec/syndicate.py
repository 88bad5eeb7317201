"""A syndicate (`kind: Syndicate`): its member tenants share one quota envelope."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from civicloud.spec.fields import Email, Model, Name, Siren, Text
from civicloud.spec.tenant import Quotas


class SyndicateMetadata(Model):
    name: Name
    authority: Text
    siren: Siren | None = None
    contact: Email


class Syndicate(Model):
    apiVersion: Literal["civicloud/v1"]
    kind: Literal["Syndicate"]
    metadata: SyndicateMetadata
    quotas: Quotas = Field(default_factory=Quotas)  # all members together must fit in it
    backends: list[Name] | None = None  # if given, members may only use these backends
