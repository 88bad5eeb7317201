"""Cinder: encrypted volumes (created inside the tenant's project) and their attachments."""

from __future__ import annotations

from typing import Any

from openstack import exceptions
from pulumi.dynamic import DiffResult

from civicloud.stacks.credentials import openstack_admin, openstack_in_project
from civicloud.stacks.providers.base import CivicProvider, tenant_metadata
from civicloud.stacks.providers.errors import NotOurs, VerificationError

VOLUME_TIMEOUT_S = 180


class VolumeProvider(CivicProvider):
    """A volume of an encrypted volume type. Verified after every write: Cinder must report
    the volume encrypted and its type must carry an encryption spec (a type without one would
    give a plain volume without any error).

    Growing changes in place (extend); shrinking, or changing the type, replaces the volume."""

    inputs = (
        "cloud", "tenant", "project_id", "name", "size_gb", "volume_type", "encrypted", "metadata",
    )  # fmt: skip
    required = ("cloud", "tenant", "project_id", "name", "size_gb", "volume_type")
    replace_on = ("cloud", "tenant", "project_id", "volume_type", "encrypted")

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        result = super().diff(id_, olds, news)
        old_size, new_size = olds.get("size_gb"), news.get("size_gb")
        if isinstance(old_size, int) and isinstance(new_size, int) and new_size < old_size:
            result.replaces = [*(result.replaces or []), "size_gb"]
        return result

    def _create(self, props: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        # Created with a token scoped to the tenant's project (Cinder puts it there); looked up,
        # read and deleted as the operator, which still works once the project is gone.
        conn = openstack_in_project(props["cloud"], props["project_id"])
        volume = self._existing(openstack_admin(props["cloud"]), props)
        if volume is None:
            volume = conn.block_storage.create_volume(
                name=props["name"],
                size=props["size_gb"],
                volume_type=props["volume_type"],
                metadata={**props.get("metadata", {}), **tenant_metadata(props["tenant"])},
            )
        if volume.status != "in-use":
            conn.block_storage.wait_for_status(
                volume, "available", failures=["error"], wait=VOLUME_TIMEOUT_S
            )
        return volume.id, self._computed(volume.id, props)

    def _lookup(self, props: dict[str, Any]) -> str | None:
        conn = openstack_admin(props["cloud"])
        volume = self._existing(conn, props)
        if volume is not None and volume.status == "creating":
            # An interrupted create may have left it being built: wait, read-only.
            volume = conn.block_storage.wait_for_status(
                volume, "available", failures=["error"], wait=VOLUME_TIMEOUT_S
            )
        return None if volume is None else volume.id

    def _computed(self, id_: str, props: dict[str, Any]) -> dict[str, Any]:
        return {"volume_id": id_}

    @staticmethod
    def _existing(conn: Any, props: dict[str, Any]) -> Any:
        volumes = conn.block_storage.volumes(
            all_projects=True, project_id=props["project_id"], name=props["name"]
        )
        for volume in volumes:
            if volume.metadata.get("civicloud:tenant") != props["tenant"]:
                raise NotOurs(
                    f"volume {props['name']!r} already exists in the project and was not "
                    f"created by civicloud for tenant {props['tenant']!r}"
                )
            return volume
        return None

    def _read(self, id_: str, props: dict[str, Any]) -> dict[str, Any] | None:
        conn = openstack_admin(props["cloud"])
        volume = conn.block_storage.find_volume(id_)
        if volume is None:
            return None
        return {
            "name": volume.name,
            "size_gb": volume.size,
            "volume_type": volume.volume_type,
            "encrypted": bool(volume.is_encrypted),
            "status": volume.status,
        }

    def verify(self, id_: str, props: dict[str, Any]) -> None:
        if props.get("encrypted", True):
            self._verify_encrypted(id_, props)
        super().verify(id_, {**props, "encrypted": props.get("encrypted", True)})

    def _verify_encrypted(self, id_: str, props: dict[str, Any]) -> None:
        found = self._read(id_, props) or {"encrypted": False}
        admin = openstack_admin(props["cloud"])
        volume_type = admin.block_storage.find_type(props["volume_type"], ignore_missing=False)
        try:
            encryption = admin.block_storage.get_type_encryption(volume_type.id)
        except exceptions.NotFoundException:
            encryption = None
        if not found["encrypted"] or encryption is None or not encryption.provider:
            raise VerificationError(
                f"volume {props['name']!r}: volume type {props['volume_type']!r} has no "
                "encryption spec, so the volume is NOT encrypted; ask the cloud operator for an "
                "encrypted volume type"
            )

    def _update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        conn = openstack_in_project(news["cloud"], news["project_id"])
        if news["size_gb"] > olds["size_gb"]:
            conn.block_storage.extend_volume(id_, news["size_gb"])
        if news["name"] != olds.get("name"):
            conn.block_storage.update_volume(id_, name=news["name"])
        conn.block_storage.set_volume_metadata(
            id_, **{**news.get("metadata", {}), **tenant_metadata(news["tenant"])}
        )
        volume = conn.block_storage.get_volume(id_)
        conn.block_storage.wait_for_status(
            volume, volume.status if volume.status == "in-use" else "available",
            failures=["error"], wait=VOLUME_TIMEOUT_S,
        )  # fmt: skip
        return {}

    def _delete(self, id_: str, props: dict[str, Any]) -> None:
        conn = openstack_admin(props["cloud"])
        volume = conn.block_storage.find_volume(id_)
        if volume is not None:
            conn.block_storage.delete_volume(volume)
            conn.block_storage.wait_for_delete(volume, wait=VOLUME_TIMEOUT_S)


class VolumeAttachmentProvider(CivicProvider):
    """A volume attached to a server (id `<server>/<volume>`; any change replaces it)."""

    inputs = ("cloud", "project_id", "server_id", "volume_id")
    required = inputs
    replace_on = inputs

    def _create(self, props: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        conn = openstack_in_project(props["cloud"], props["project_id"])
        if self._attachment(conn, props["server_id"], props["volume_id"]) is None:
            conn.compute.create_volume_attachment(props["server_id"], props["volume_id"])
        volume = conn.block_storage.get_volume(props["volume_id"])
        conn.block_storage.wait_for_status(
            volume, "in-use", failures=["error"], wait=VOLUME_TIMEOUT_S
        )
        id_ = f"{props['server_id']}/{props['volume_id']}"
        return id_, self._read(id_, props) or {}

    def _lookup(self, props: dict[str, Any]) -> str | None:
        id_ = f"{props['server_id']}/{props['volume_id']}"
        return id_ if self._read(id_, props) is not None else None

    @staticmethod
    def _attachment(conn: Any, server_id: str, volume_id: str) -> Any:
        try:
            attachments = list(conn.compute.volume_attachments(server_id))
        except exceptions.NotFoundException:
            return None
        return next((a for a in attachments if a.volume_id == volume_id), None)

    def _read(self, id_: str, props: dict[str, Any]) -> dict[str, Any] | None:
        server_id, volume_id = id_.split("/")
        conn = openstack_admin(props["cloud"])
        attachment = self._attachment(conn, server_id, volume_id)
        return None if attachment is None else {"device": attachment.device}

    def _delete(self, id_: str, props: dict[str, Any]) -> None:
        server_id, volume_id = id_.split("/")
        conn = openstack_admin(props["cloud"])
        if self._attachment(conn, server_id, volume_id) is None:
            return
        conn.compute.delete_volume_attachment(server_id, volume_id)
        volume = conn.block_storage.get_volume(volume_id)
        conn.block_storage.wait_for_status(
            volume, "available", failures=["error"], wait=VOLUME_TIMEOUT_S
        )
