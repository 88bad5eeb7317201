"""Cinder volume driver whose volumes are sparse files (local cloud only).

Cinder's own fake driver (`cinder.tests.fake_driver.FakeLoggingVolumeDriver`) keeps no data, so a
volume could not be snapshotted, uploaded to an image or created from one with its bytes. This
driver keeps the fake driver's control path (no LVM, no iSCSI target, attach is a no-op for Nova's
fake hypervisor, same capacity report) and gives every volume and snapshot a file:
`<civicloud_volumes_dir>/volume-<id>` and `snapshot-<id>`, of the volume's size.

Encryption: no dm-crypt runs here (no root device mapper, no guest), so the file holds the bytes a
guest would see. Cinder still does all its encryption bookkeeping (key id per volume, the key
cloned into an uploaded image's `cinder_encryption_key_id`, encrypted types refused anything but
raw on upload). Never load this driver on a real cloud.
"""

from __future__ import annotations

from pathlib import Path

from cinder.image import image_utils
from cinder.tests.fake_driver import FakeLoggingVolumeDriver
from cinder.volume import volume_utils
from os_brick.initiator.connectors.local import LocalConnector
from oslo_config import cfg

from civicloud_filevolumes import files

file_volume_opts = [
    cfg.StrOpt(
        "civicloud_volumes_dir",
        default="$state_path/volume-files",
        help="Directory of the volume and snapshot files.",
    ),
]


class FileVolumeDriver(FakeLoggingVolumeDriver):
    """The fake driver, with a sparse file of data behind every volume and snapshot."""

    VERSION = "1.0.0"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.configuration.append_config_values(file_volume_opts)
        self.directory = Path(self.configuration.civicloud_volumes_dir)

    @classmethod
    def get_driver_options(cls) -> list:
        return [*super().get_driver_options(), *file_volume_opts]

    def check_for_setup_error(self):
        self.directory.mkdir(parents=True, exist_ok=True)

    def path(self, resource) -> Path:
        """The file of a volume or snapshot (their `name` is `volume-<id>`, `snapshot-<id>`)."""
        return self.directory / resource["name"]

    def local_path(self, volume, vg=None) -> str:
        return str(self.path(volume))

    def _volume_file(self, volume) -> Path:
        # Volumes made by the fake driver before this one have no file: they hold zeros.
        path = self.path(volume)
        files.ensure(path, volume["size"])
        return path

    def create_volume(self, volume):
        model_update = super().create_volume(volume)
        files.remove(self.path(volume))  # a failed earlier attempt with the same id
        files.create(self.path(volume), volume["size"])
        return model_update

    def delete_volume(self, volume):
        files.remove(self.path(volume))

    def create_snapshot(self, snapshot):
        files.copy(self._volume_file(snapshot.volume), self.path(snapshot))

    def delete_snapshot(self, snapshot):
        files.remove(self.path(snapshot))

    def create_volume_from_snapshot(self, volume, snapshot):
        source = self.path(snapshot)
        files.ensure(source, snapshot["volume_size"])
        files.copy(source, self.path(volume), volume["size"])

    def create_cloned_volume(self, volume, src_vref):
        files.copy(self._volume_file(src_vref), self.path(volume), volume["size"])

    def revert_to_snapshot(self, context, volume, snapshot):
        files.copy(self.path(snapshot), self.path(volume), volume["size"])

    def extend_volume(self, volume, new_size):
        files.grow(self._volume_file(volume), new_size)

    def copy_volume_to_image(self, context, volume, image_service, image_meta):
        volume_utils.upload_volume(
            context, image_service, image_meta, str(self._volume_file(volume)), volume
        )

    def copy_image_to_volume(self, context, volume, image_service, image_id, disable_sparse=False):
        path = self.path(volume)
        image_utils.fetch_to_raw(
            context,
            image_service,
            image_id,
            str(path),
            self.configuration.volume_dd_blocksize,
            size=volume["size"],
            disable_sparse=disable_sparse,
        )
        # qemu-img wrote a file of the image's size: the volume keeps its own size
        files.grow(path, volume["size"])

    def copy_image_to_encrypted_volume(
        self, context, volume, image_service, image_id, disable_sparse=False
    ):
        # No encryptor layer to write through here (see the module's docstring).
        self.copy_image_to_volume(context, volume, image_service, image_id, disable_sparse)

    def _attach_volume(self, context, volume, properties, remote=False):
        """Cinder's own access to a volume (copies, re-keying a clone): the file, directly.

        A local connector also tells Cinder that re-keying is not supported, which it skips
        (the local cloud has one fixed key anyway)."""
        path = str(self._volume_file(volume))
        attach_info = {
            "conn": {"driver_volume_type": "local", "data": {"device_path": path}},
            "device": {"type": "local", "path": path},
            "connector": LocalConnector(root_helper=None),
        }
        return attach_info, volume

    def _detach_volume(
        self, context, attach_info, volume, properties, force=False, remote=False,
        ignore_errors=False,
    ):  # fmt: skip
        pass
