"""Tenant spec and backend catalogue: models, YAML loading with positions, located errors.

    bundle = load([Path("tenants/")], [Path("catalogue/")])
    for problem in bundle.problems.items: print(problem)   # file:line:col: path: message
    inputs = bundle_policy_inputs(bundle)                   # for civicloud.policy.evaluate
"""

from civicloud.spec.catalogue import Backend, Catalogue
from civicloud.spec.errors import SpecError, format_path
from civicloud.spec.loader import Bundle, Located, load
from civicloud.spec.policy_input import policy_inputs
from civicloud.spec.sourcemap import SourceMap
from civicloud.spec.syndicate import Syndicate
from civicloud.spec.tenant import Tenant


def bundle_policy_inputs(bundle: Bundle) -> list[dict]:
    return policy_inputs([t.model for t in bundle.tenants], bundle.backends,
                         bundle.syndicates_by_name)


__all__ = [
    "Backend", "Bundle", "Catalogue", "Located", "SourceMap", "SpecError", "Syndicate", "Tenant",
    "bundle_policy_inputs", "format_path", "load", "policy_inputs",
]
