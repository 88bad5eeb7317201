"""Keystone: the tenant's project, users, groups, role assignments, application credential."""

from __future__ import annotations

import secrets
from typing import Any

from openstack import exceptions
from pulumi.dynamic import CheckFailure, CheckResult

from civicloud.stacks.credentials import openstack_admin
from civicloud.stacks.providers.base import CivicProvider, is_ours, tenant_tags
from civicloud.stacks.providers.errors import NotOurs

# Users and groups have no tags in Keystone: civicloud marks them in their description.
MARKER = "managed by civicloud for tenant"


def marker(tenant: str) -> str:
    return f"{MARKER} {tenant}"


def _domain_id(conn: Any, domain: str) -> str:
    return conn.identity.find_domain(domain, ignore_missing=False).id


class ProjectProvider(CivicProvider):
    """Project tagged `civicloud` + `tenant:<name>`; the operator gets a role in it so that
    servers and volumes can be created inside it (Nova/Cinder use the token's project)."""

    inputs = ("cloud", "tenant", "name", "domain", "description", "operator_role")
    required = ("cloud", "tenant", "name")
    replace_on = ("cloud", "domain")

    @staticmethod
    def _existing(conn: Any, props: dict[str, Any]) -> Any:
        domain_id = _domain_id(conn, props.get("domain", "default"))
        project = conn.identity.find_project(props["name"], domain_id=domain_id)
        if project is not None and not is_ours(project.tags, props["tenant"]):
            raise NotOurs(
                f"project {props['name']!r} already exists and is not tagged as civicloud's "
                f"for tenant {props['tenant']!r}: rename the tenant or remove that project"
            )
        return project

    @staticmethod
    def _operator_role(conn: Any, props: dict[str, Any]) -> Any:
        return conn.identity.find_role(props.get("operator_role", "member"), ignore_missing=False)

    def _lookup(self, props: dict[str, Any]) -> str | None:
        conn = openstack_admin(props["cloud"])
        project = self._existing(conn, props)
        if project is None:
            return None
        # Without the operator's role the project is not usable yet: let create finish it.
        assigned = conn.identity.role_assignments(
            scope_project_id=project.id,
            user_id=conn.current_user_id,
            role_id=self._operator_role(conn, props).id,
        )
        return project.id if list(assigned) else None

    def _computed(self, id_: str, props: dict[str, Any]) -> dict[str, Any]:
        project = openstack_admin(props["cloud"]).identity.get_project(id_)
        return {"project_id": id_, "domain_id": project.domain_id}

    def _create(self, props: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        conn = openstack_admin(props["cloud"])
        project = self._existing(conn, props)
        if project is None:
            project = conn.identity.create_project(
                name=props["name"],
                domain_id=_domain_id(conn, props.get("domain", "default")),
                description=props.get("description", ""),
                tags=tenant_tags(props["tenant"]),
            )
        else:
            conn.identity.update_project(project, description=props.get("description", ""))
        role = self._operator_role(conn, props)
        conn.identity.assign_project_role_to_user(project, conn.current_user_id, role)
        return project.id, self._computed(project.id, props)

    def _read(self, id_: str, props: dict[str, Any]) -> dict[str, Any] | None:
        conn = openstack_admin(props["cloud"])
        project = conn.identity.find_project(id_)
        if project is None:
            return None
        found = {"name": project.name, "description": project.description or ""}
        if not is_ours(project.tags, props["tenant"]):
            found["tenant"] = None  # tags lost: shows as drift, fails verification
        return found

    def _update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        conn = openstack_admin(news["cloud"])
        conn.identity.update_project(
            id_,
            name=news["name"],
            description=news.get("description", ""),
            tags=tenant_tags(news["tenant"]),
        )
        if news.get("operator_role") != olds.get("operator_role"):
            role = conn.identity.find_role(
                news.get("operator_role", "member"), ignore_missing=False
            )
            conn.identity.assign_project_role_to_user(id_, conn.current_user_id, role)
        return {}

    def _delete(self, id_: str, props: dict[str, Any]) -> None:
        conn = openstack_admin(props["cloud"])
        # Neutron creates a `default` security group in every project that uses the network;
        # Keystone does not cascade, so it would outlive the project. (Filtered here, not in the
        # query: a listing filtered by project makes Neutron create that group.)
        for group in conn.network.security_groups(name="default"):
            if group.project_id == id_:
                conn.network.delete_security_group(group, ignore_missing=True)
        conn.identity.delete_project(id_, ignore_missing=True)


class UserProvider(CivicProvider):
    """A Keystone user with a generated password (a secret output, never logged).

    Adopting an existing user of the tenant resets its password: its old one is unknown."""

    findable = False
    inputs = ("cloud", "tenant", "name", "domain", "project_id", "email")
    required = ("cloud", "tenant", "name", "project_id")
    replace_on = ("cloud", "domain")

    def _create(self, props: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        conn = openstack_admin(props["cloud"])
        domain_id = _domain_id(conn, props.get("domain", "default"))
        password = secrets.token_urlsafe(24)
        attrs = {
            "name": props["name"],
            "domain_id": domain_id,
            "default_project_id": props["project_id"],
            "email": props.get("email"),
            "description": marker(props["tenant"]),
            "password": password,
        }
        user = conn.identity.find_user(props["name"], domain_id=domain_id)
        if user is None:
            user = conn.identity.create_user(**attrs)
        elif user.description == marker(props["tenant"]):
            user = conn.identity.update_user(user, **attrs)
        else:
            raise NotOurs(
                f"user {props['name']!r} already exists and was not created by civicloud for "
                f"tenant {props['tenant']!r}"
            )
        return user.id, {"user_id": user.id, "password": password}

    def _read(self, id_: str, props: dict[str, Any]) -> dict[str, Any] | None:
        user = openstack_admin(props["cloud"]).identity.find_user(id_)
        if user is None:
            return None
        found = {"name": user.name, "project_id": user.default_project_id}
        if "email" in props:
            found["email"] = user.email
        return found

    def _update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        openstack_admin(news["cloud"]).identity.update_user(
            id_,
            name=news["name"],
            default_project_id=news["project_id"],
            email=news.get("email"),
        )
        return {}

    def _delete(self, id_: str, props: dict[str, Any]) -> None:
        openstack_admin(props["cloud"]).identity.delete_user(id_, ignore_missing=True)


class GroupProvider(CivicProvider):
    """A Keystone group and its members (user ids)."""

    inputs = ("cloud", "tenant", "name", "domain", "members")
    required = ("cloud", "tenant", "name")
    replace_on = ("cloud", "domain")

    def _lookup(self, props: dict[str, Any]) -> str | None:
        conn = openstack_admin(props["cloud"])
        domain_id = _domain_id(conn, props.get("domain", "default"))
        group = conn.identity.find_group(props["name"], domain_id=domain_id)
        if group is not None and group.description != marker(props["tenant"]):
            raise NotOurs(
                f"group {props['name']!r} already exists and was not created by civicloud for "
                f"tenant {props['tenant']!r}"
            )
        return None if group is None else group.id

    def _computed(self, id_: str, props: dict[str, Any]) -> dict[str, Any]:
        return {"group_id": id_}

    def _create(self, props: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        conn = openstack_admin(props["cloud"])
        group_id = self._lookup(props)
        if group_id is None:
            group_id = conn.identity.create_group(
                name=props["name"],
                domain_id=_domain_id(conn, props.get("domain", "default")),
                description=marker(props["tenant"]),
            ).id
        self._sync_members(conn, group_id, props.get("members", []))
        return group_id, self._computed(group_id, props)

    @staticmethod
    def _sync_members(conn: Any, group_id: str, wanted: list[str]) -> None:
        current = {user.id for user in conn.identity.group_users(group_id)}
        for user_id in set(wanted) - current:
            conn.identity.add_user_to_group(user_id, group_id)
        for user_id in current - set(wanted):
            conn.identity.remove_user_from_group(user_id, group_id)

    def _read(self, id_: str, props: dict[str, Any]) -> dict[str, Any] | None:
        conn = openstack_admin(props["cloud"])
        group = conn.identity.find_group(id_)
        if group is None:
            return None
        members = {user.id for user in conn.identity.group_users(id_)}
        wanted = props.get("members", [])
        # Members are a set: report the declared order when the sets match.
        return {
            "name": group.name,
            "members": wanted if members == set(wanted) else sorted(members),
        }

    def _update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        conn = openstack_admin(news["cloud"])
        conn.identity.update_group(id_, name=news["name"])
        self._sync_members(conn, id_, news.get("members", []))
        return {}

    def _delete(self, id_: str, props: dict[str, Any]) -> None:
        openstack_admin(props["cloud"]).identity.delete_group(id_, ignore_missing=True)


class RoleProvider(CivicProvider):
    """A tenant's own role (Keystone roles are global: the name carries the tenant's)."""

    inputs = ("cloud", "tenant", "name", "description")
    required = ("cloud", "tenant", "name")
    replace_on = ("cloud", "tenant", "name")

    def _lookup(self, props: dict[str, Any]) -> str | None:
        role = openstack_admin(props["cloud"]).identity.find_role(props["name"])
        if role is not None and marker(props["tenant"]) not in (role.description or ""):
            raise NotOurs(
                f"role {props['name']!r} already exists and was not created by civicloud for "
                f"tenant {props['tenant']!r}"
            )
        return None if role is None else role.id

    def _computed(self, id_: str, props: dict[str, Any]) -> dict[str, Any]:
        return {"role_id": id_}

    @staticmethod
    def _description(props: dict[str, Any]) -> str:
        return f"{props.get('description', '')} ({marker(props['tenant'])})".lstrip()

    def _create(self, props: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        conn = openstack_admin(props["cloud"])
        role_id = (
            self._lookup(props)
            or conn.identity.create_role(
                name=props["name"], description=self._description(props)
            ).id
        )
        return role_id, self._computed(role_id, props)

    def _read(self, id_: str, props: dict[str, Any]) -> dict[str, Any] | None:
        role = openstack_admin(props["cloud"]).identity.find_role(id_)
        return None if role is None else {"name": role.name}

    def _update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        openstack_admin(news["cloud"]).identity.update_role(
            id_, description=self._description(news)
        )
        return {}

    def _delete(self, id_: str, props: dict[str, Any]) -> None:
        openstack_admin(props["cloud"]).identity.delete_role(id_, ignore_missing=True)


class RoleAssignmentProvider(CivicProvider):
    """A role of a user or group on the tenant's project (immutable: any change replaces it)."""

    inputs = ("cloud", "project_id", "actor", "actor_id", "role")
    required = inputs
    replace_on = inputs

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        result = super().check(olds, news)
        if news.get("actor") not in ("user", "group"):
            result.failures.append(CheckFailure("actor", "expected 'user' or 'group'"))
        return result

    def _create(self, props: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        conn = openstack_admin(props["cloud"])
        role = conn.identity.find_role(props["role"], ignore_missing=False)
        if props["actor"] == "user":
            conn.identity.assign_project_role_to_user(props["project_id"], props["actor_id"], role)
        else:
            conn.identity.assign_project_role_to_group(props["project_id"], props["actor_id"], role)
        id_ = self._id(props, role.id)
        return id_, self._computed(id_, props)

    @staticmethod
    def _id(props: dict[str, Any], role_id: str) -> str:
        return f"{props['project_id']}/{props['actor']}/{props['actor_id']}/{role_id}"

    def _lookup(self, props: dict[str, Any]) -> str | None:
        role = openstack_admin(props["cloud"]).identity.find_role(props["role"])
        id_ = None if role is None else self._id(props, role.id)
        return id_ if id_ and self._read(id_, props) is not None else None

    def _computed(self, id_: str, props: dict[str, Any]) -> dict[str, Any]:
        return {"role_id": id_.rsplit("/", 1)[-1]}

    def _read(self, id_: str, props: dict[str, Any]) -> dict[str, Any] | None:
        project_id, actor, actor_id, role_id = id_.split("/")
        found = list(
            openstack_admin(props["cloud"]).identity.role_assignments(
                scope_project_id=project_id, role_id=role_id, **{f"{actor}_id": actor_id}
            )
        )
        return {} if found else None

    def _delete(self, id_: str, props: dict[str, Any]) -> None:
        conn = openstack_admin(props["cloud"])
        project_id, actor, actor_id, role_id = id_.split("/")
        try:
            if actor == "user":
                conn.identity.unassign_project_role_from_user(project_id, actor_id, role_id)
            else:
                conn.identity.unassign_project_role_from_group(project_id, actor_id, role_id)
        except exceptions.NotFoundException:
            pass  # already gone (e.g. the project or user was deleted)


class ApplicationCredentialProvider(CivicProvider):
    """The tenant automation's application credential, owned by the tenant's automation user.

    Keystone lets only a user create its own application credentials, so the provider logs in
    as that user (password from the User resource, a secret) scoped to the project. Its secret
    cannot be read back: an existing credential of that name is replaced on create.
    """

    findable = False

    inputs = ("cloud", "project_id", "user_id", "user_name", "password", "name", "roles")
    required = ("cloud", "project_id", "user_id", "user_name", "password", "name")
    replace_on = ("cloud", "project_id", "user_id", "user_name", "name", "roles")

    def _as_user(self, props: dict[str, Any]) -> Any:
        admin = openstack_admin(props["cloud"])
        user = admin.identity.get_user(props["user_id"])
        return admin.connect_as(
            username=props["user_name"],
            password=props["password"],
            user_domain_id=user.domain_id,
            project_id=props["project_id"],
        )

    def _create(self, props: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        conn = self._as_user(props)
        existing = conn.identity.find_application_credential(props["user_id"], props["name"])
        if existing is not None:
            conn.identity.delete_application_credential(props["user_id"], existing)
        roles = [{"name": role} for role in props.get("roles", [])] or None
        credential = conn.identity.create_application_credential(
            props["user_id"], props["name"], roles=roles, description="civicloud automation"
        )
        return credential.id, {"credential_id": credential.id, "secret": credential.secret}

    def _read(self, id_: str, props: dict[str, Any]) -> dict[str, Any] | None:
        conn = openstack_admin(props["cloud"])
        try:
            credential = conn.identity.get_application_credential(props["user_id"], id_)
        except exceptions.NotFoundException:
            return None
        return {"name": credential.name, "project_id": credential.project_id}

    def _update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        return {}  # only the password input changed: the credential stays valid

    def _delete(self, id_: str, props: dict[str, Any]) -> None:
        conn = openstack_admin(props["cloud"])
        conn.identity.delete_application_credential(props["user_id"], id_, ignore_missing=True)
