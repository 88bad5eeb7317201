"""Keystone providers and quotas on the real local OpenStack, checked with openstacksdk."""

from __future__ import annotations

import uuid

import openstack
import pytest
from keystoneauth1 import session
from keystoneauth1.identity import v3
from openstack import exceptions

from civicloud.stacks.credentials import apply_local_defaults
from civicloud.stacks.providers import identity, quota
from civicloud.stacks.providers.errors import NotOurs, VerificationError

pytestmark = pytest.mark.integration
CLOUD = "civicloud-local"


@pytest.fixture(scope="module")
def conn():
    apply_local_defaults()
    return openstack.connect(cloud=CLOUD)


@pytest.fixture
def tenant():
    return f"t{uuid.uuid4().hex[:8]}"


@pytest.fixture
def project(conn, tenant):
    provider = identity.ProjectProvider()
    props = {"cloud": CLOUD, "tenant": tenant, "name": tenant, "description": "Commune (SIREN 1)"}
    result = provider.create(props)
    yield result.outs
    provider.delete(result.id, result.outs)


def test_project_create_tags_adopt_update_delete(conn, tenant):
    provider = identity.ProjectProvider()
    props = {"cloud": CLOUD, "tenant": tenant, "name": tenant, "description": "Commune de X"}
    created = provider.create(props)
    try:
        found = conn.identity.get_project(created.id)
        assert {"civicloud", f"tenant:{tenant}"} <= set(found.tags)
        assert found.description == "Commune de X"
        # The operator can work inside the project (servers and volumes need that).
        assert conn.connect_as(project_id=created.id).current_project_id == created.id
        # An interrupted apply re-runs create: the same project is adopted, not duplicated.
        assert provider.create(props).id == created.id
        assert len(list(conn.identity.projects(name=tenant))) == 1

        news = {**props, "description": "Commune de X (SIREN 2)"}
        diff = provider.diff(created.id, created.outs, news)
        assert diff.changes and not diff.replaces
        provider.update(created.id, created.outs, news)
        assert conn.identity.get_project(created.id).description == news["description"]
        assert provider.read(created.id, created.outs).outs["description"] == news["description"]
    finally:
        provider.delete(created.id, created.outs)
    assert conn.identity.find_project(created.id) is None
    assert provider.read(created.id, created.outs).id is None


def test_project_refuses_to_adopt_a_foreign_project(conn, tenant):
    foreign = conn.identity.create_project(name=tenant, domain_id="default")
    try:
        with pytest.raises(NotOurs, match="not tagged"):
            identity.ProjectProvider().create({"cloud": CLOUD, "tenant": tenant, "name": tenant})
    finally:
        conn.identity.delete_project(foreign)


def test_users_groups_roles_and_application_credential(conn, tenant, project):
    users = identity.UserProvider()
    alice = users.create(
        {"cloud": CLOUD, "tenant": tenant, "name": f"{tenant}-alice",
         "project_id": project["project_id"], "email": "alice@example.org"}
    )  # fmt: skip
    assert conn.identity.get_user(alice.id).email == "alice@example.org"
    assert len(alice.outs["password"]) >= 24
    # The generated password really logs in, scoped to nothing yet (no role).
    groups = identity.GroupProvider()
    admins = groups.create(
        {"cloud": CLOUD, "tenant": tenant, "name": f"{tenant}-admins", "members": [alice.id]}
    )
    assert [u.id for u in conn.identity.group_users(admins.id)] == [alice.id]

    roles = identity.RoleAssignmentProvider()
    member = roles.create(
        {"cloud": CLOUD, "project_id": project["project_id"], "actor": "user",
         "actor_id": alice.id, "role": "member"}
    )  # fmt: skip
    group_admin = roles.create(
        {"cloud": CLOUD, "project_id": project["project_id"], "actor": "group",
         "actor_id": admins.id, "role": "reader"}
    )  # fmt: skip
    assigned = conn.identity.role_assignments(scope_project_id=project["project_id"])
    pairs = {(a.user.get("id") if a.user else a.group.get("id"), a.role["id"]) for a in assigned}
    assert (alice.id, member.outs["role_id"]) in pairs
    assert (admins.id, group_admin.outs["role_id"]) in pairs

    creds = identity.ApplicationCredentialProvider()
    cred_props = {
        "cloud": CLOUD, "project_id": project["project_id"], "user_id": alice.id,
        "user_name": f"{tenant}-alice", "password": alice.outs["password"],
        "name": f"{tenant}-automation", "roles": ["member"],
    }  # fmt: skip
    cred = creds.create(cred_props)
    # The credential authenticates on its own, scoped to the tenant's project.
    auth = v3.ApplicationCredential(
        auth_url=conn.auth["auth_url"],
        application_credential_id=cred.id,
        application_credential_secret=cred.outs["secret"],
    )
    assert session.Session(auth=auth).get_project_id() == project["project_id"]
    # Re-creating (interrupted apply) gives a fresh credential and drops the old one.
    again = creds.create(cred_props)
    assert creds.read(cred.id, cred_props).id is None and again.id != cred.id
    creds.delete(again.id, cred_props)
    assert creds.read(again.id, cred_props).id is None

    # Membership sync on update.
    groups.update(admins.id, admins.outs, {**admins.outs, "members": []})
    assert list(conn.identity.group_users(admins.id)) == []

    for provider, result in ((roles, member), (roles, group_admin)):
        provider.delete(result.id, result.outs)
    assert not list(conn.identity.role_assignments(scope_project_id=project["project_id"],
                                                   user_id=alice.id))  # fmt: skip
    groups.delete(admins.id, admins.outs)
    users.delete(alice.id, alice.outs)
    assert conn.identity.find_user(alice.id) is None
    assert conn.identity.find_group(admins.id) is None


def test_quotas_set_verified_and_reverted(conn, project):
    provider = quota.QuotaProvider()
    project_id = project["project_id"]
    results = []
    for service, limits in quota.limits_by_service(
        {"instances": 3, "cores": 6, "ram_mb": 8192, "volumes": 2, "gigabytes": 50,
         "networks": 2, "subnets": 3, "routers": 1, "ports": 15}
    ).items():  # fmt: skip
        props = {"cloud": CLOUD, "project_id": project_id, "service": service, "limits": limits}
        results.append(provider.create(props))
    assert conn.compute.get_quota_set(project_id).instances == 3
    assert conn.compute.get_quota_set(project_id).ram == 8192
    assert conn.block_storage.get_quota_set(project_id).gigabytes == 50
    assert conn.network.get_quota(project_id).subnets == 3

    compute = next(r for r in results if r.outs["service"] == "compute")
    news = {**compute.outs, "limits": {**compute.outs["limits"], "instances": 5}}
    diff = provider.diff(compute.id, compute.outs, news)
    assert diff.changes and not diff.replaces
    provider.update(compute.id, compute.outs, news)
    assert conn.compute.get_quota_set(project_id).instances == 5

    # Someone changes the quota behind civicloud's back: read shows it, verify refuses it.
    conn.compute.update_quota_set(project_id, instances=1)
    assert provider.read(compute.id, news).outs["limits"]["instances"] == 1
    with pytest.raises(VerificationError, match="instances"):
        provider.verify(compute.id, news)

    for result in results:
        provider.delete(result.id, result.outs)
    defaults = conn.compute.get_quota_set_defaults(project_id)
    assert conn.compute.get_quota_set(project_id).instances == defaults.instances


def test_role_assignment_checks_actor(conn):
    result = identity.RoleAssignmentProvider().check(
        {}, {"cloud": CLOUD, "project_id": "p", "actor": "robot", "actor_id": "x", "role": "r"}
    )
    assert [f.property for f in result.failures] == ["actor"]


def test_deleting_missing_things_is_a_no_op(conn):
    missing = uuid.uuid4().hex
    identity.UserProvider().delete(missing, {"cloud": CLOUD})
    identity.RoleAssignmentProvider().delete(
        f"{missing}/user/{missing}/{missing}", {"cloud": CLOUD}
    )
    with pytest.raises(exceptions.ResourceNotFound):
        conn.identity.get_user(missing)


def test_tenant_role_created_assigned_and_removed(conn, tenant, project):
    roles, assignments = identity.RoleProvider(), identity.RoleAssignmentProvider()
    props = {"cloud": CLOUD, "tenant": tenant, "name": f"{tenant}-archivist",
             "description": "reads and adds documents"}  # fmt: skip
    role = roles.create(props)
    found = conn.identity.get_role(role.id)
    assert found.name == f"{tenant}-archivist" and tenant in found.description
    assert roles.create(props).id == role.id  # adopted
    assert roles.find(props).id == role.id

    user = identity.UserProvider().create(
        {"cloud": CLOUD, "tenant": tenant, "name": f"{tenant}-robot",
         "project_id": project["project_id"]}
    )  # fmt: skip
    grant = {"cloud": CLOUD, "project_id": project["project_id"], "actor": "user",
             "actor_id": user.id, "role": f"{tenant}-archivist"}  # fmt: skip
    assigned = assignments.create(grant)
    assert assignments.find(grant).id == assigned.id
    assert list(conn.identity.role_assignments(scope_project_id=project["project_id"],
                                               user_id=user.id, role_id=role.id))  # fmt: skip
    assignments.delete(assigned.id, grant)
    identity.UserProvider().delete(user.id, user.outs)
    roles.delete(role.id, props)
    assert conn.identity.find_role(role.id) is None
    assert roles.find(props) is None
