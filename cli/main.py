"""The `civicloud` command."""

from __future__ import annotations

import click

# rego-cpp must be loaded before protobuf's upb extension (imported by the engine's commands):
# loaded after it, every policy evaluation leaks ~0.2 MB (validate of 1,000 tenants: 370 MB RSS
# instead of 150 MB; bench/validate_bench.py measures it).
import regopy  # noqa: F401

from civicloud import __version__
from civicloud.commands import register


class OrderedGroup(click.Group):
    """Lists sub-commands in registration order (the workflow's order), not alphabetically."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)


@click.group(
    cls=OrderedGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="civicloud")
def cli() -> None:
    """Provision sovereign, encrypted cloud tenants for local authorities.

    One YAML file per tenant says who it is, how sensitive its data are and
    where they may live. civicloud checks it against the law and your own
    policies before anything is deployed, then provisions it on OpenStack and
    S3.

    \b
    Exit codes: 0 ok, 1 runtime failure, 2 invalid input,
                3 policy denied, 4 changes or drift (--detailed-exitcode).
    """


register(cli)


def main() -> None:
    cli(prog_name="civicloud")
