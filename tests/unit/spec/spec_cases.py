"""A small valid tenant whose line numbers the tests rely on, and helpers to break it."""

from __future__ import annotations

from civicloud.paths import project_path

BASE = """\
apiVersion: civicloud/v1
kind: Tenant
metadata:
  name: vence
  authority: Commune de Vence
  authority_type: commune
  siren: "210601522"
  contact: dsi@vence.example
type: community
classification: personal
compute:
  backend: local-openstack
  networks:
    - name: backend
      subnets:
        - name: backend-v4
          cidr: 10.20.0.0/24
  routers:
    - name: edge
      subnets: [backend-v4]
  security_groups:
    - name: web
      rules:
        - {direction: ingress, protocol: tcp, port: 443, remote: 10.0.0.0/8}
  keypairs:
    - name: admin
      public_key: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIH3nBmQ8v0Yc5Xq2g3R0kq7eN2Qw6jv1Zs0r9c4vS5Xy
  servers:
    - name: web-1
      flavor: m1.small
      image: debian-12
      network: backend
      security_groups: [web]
      keypair: admin
      volumes:
        - {name: data, size_gb: 10}
storage:
  backend: local-s3-fr
  buckets:
    - name: documents
      encryption: sse-s3
      versioning: true
"""

CATALOGUE = project_path("catalogue", "local.yaml")


def mutate(old: str, new: str, text: str = BASE) -> str:
    assert text.count(old) == 1, f"{old!r} must occur once in the base tenant"
    return text.replace(old, new)


def where(text: str, line: int, needle: str) -> str:
    """'line:column' of `needle` on 1-based `line` of `text`."""
    column = text.splitlines()[line - 1].index(needle) + 1
    return f"{line}:{column}"
