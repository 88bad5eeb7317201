"""MariaDB and RabbitMQ with their data under the local directory (never /var/lib)."""

from __future__ import annotations

from civicloud.localcloud.commands import run
from civicloud.localcloud.configs import DATABASES, PORTS
from civicloud.localcloud.credentials import Credentials, write_private
from civicloud.localcloud.layout import HOST, Layout


def prepare(layout: Layout, creds: Credentials) -> None:
    """Creates MariaDB's datadir on first use and writes RabbitMQ's config (before they start)."""
    datadir = layout.data / "mariadb"
    if not (datadir / "mysql").is_dir():
        datadir.mkdir(parents=True, exist_ok=True)
        run(
            "mariadb",
            ["mariadb-install-db", "--no-defaults", "--user=root", f"--datadir={datadir}",
             "--auth-root-authentication-method=socket", "--skip-test-db"],
            layout.log("mariadb"),
        )  # fmt: skip
    etc = layout.etc / "rabbitmq"
    (layout.data / "rabbitmq").mkdir(parents=True, exist_ok=True)
    etc.mkdir(parents=True, exist_ok=True)
    (etc / "enabled_plugins").write_text("[].\n")
    (etc / "rabbitmq-env.conf").write_text("# everything is set by the environment\n")
    # The default user is created when the node boots on an empty database.
    write_private(
        etc / "rabbitmq.conf",
        f"listeners.tcp.default = {HOST}:{PORTS['rabbitmq']}\n"
        "default_vhost = /\ndefault_user = openstack\n"
        f"default_pass = {creds.rabbit_password}\n"
        "default_permissions.configure = .*\ndefault_permissions.read = .*\n"
        "default_permissions.write = .*\n"
        "disk_free_limit.absolute = 100MB\nlog.console = true\nlog.file = false\n",
    )


def create_databases(layout: Layout, creds: Credentials) -> None:
    """One database per service and one `openstack` user (idempotent; SQL goes in on stdin)."""
    statements = [f"CREATE DATABASE IF NOT EXISTS {name};" for name in DATABASES]
    password = creds.database_password
    statements += [
        f"CREATE USER IF NOT EXISTS 'openstack'@'{HOST}' IDENTIFIED BY '{password}';",
        f"ALTER USER 'openstack'@'{HOST}' IDENTIFIED BY '{password}';",
        f"GRANT ALL PRIVILEGES ON *.* TO 'openstack'@'{HOST}';",
        "FLUSH PRIVILEGES;",
    ]
    mysql(layout, "\n".join(statements))


def mysql(layout: Layout, sql: str) -> str:
    return run(
        "mariadb",
        ["mariadb", "--no-defaults", "-uroot", f"--socket={layout.run / 'mysqld.sock'}", "-N"],
        layout.log("mariadb"),
        input_text=sql,
    )
