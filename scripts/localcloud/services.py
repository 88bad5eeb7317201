"""Every long-running process of the local cloud: how to start it and how to tell it answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from civicloud.localcloud.configs import PORTS
from civicloud.localcloud.health import http_answers, tcp_open
from civicloud.localcloud.layout import HOST, Layout

RABBITMQ_NODE = "rabbit@localhost"


@dataclass(frozen=True)
class Service:
    name: str
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    url: str = ""  # what `status` shows; empty for processes without an API
    port: int = 0  # probed with TCP when there is no HTTP URL to probe
    http: bool = False

    def answers(self) -> bool:
        if self.http:
            return http_answers(self.url)
        if self.port:
            return tcp_open(HOST, self.port)
        return True  # no endpoint: alive is all we can know


# uwsgi serves each OpenStack API (their WSGI modules; the old eventlet servers are gone).
UWSGI_COMMON = [
    "--master", "--processes", "1", "--threads", "4", "--lazy-apps", "--die-on-term",
    "--enable-threads", "--thunder-lock", "--buffer-size", "65535", "--need-app",
    # one line per request is noise here: the services log their own requests and errors
    "--disable-logging",
    # python-requests' keep-alive meets uwsgi's http-socket as "connection reset" otherwise
    "--add-header", "Connection: close",
]  # fmt: skip


def _uwsgi(layout: Layout, name: str, module: str, extra: list[str] | None = None) -> list[str]:
    return [
        str(layout.bin("uwsgi")),
        "--http-socket", f"{HOST}:{PORTS[name]}",
        "--module", module,
        "--procname-prefix", f"{name}-",
        *UWSGI_COMMON,
        *(extra or []),
    ]  # fmt: skip


def _api(
    layout: Layout, name: str, module: str, config_dir_env: str, extra: list[str] | None = None
) -> Service:
    service = name.removesuffix("-api")
    return Service(
        name=name,
        argv=_uwsgi(layout, name, module, extra),
        env={config_dir_env: str(layout.etc / service)} if config_dir_env else {},
        url=f"http://{HOST}:{PORTS[name]}/",
        http=True,
    )


def _daemon(layout: Layout, name: str, *configs: Path) -> Service:
    args = [arg for config in configs for arg in ("--config-file", str(config))]
    return Service(name=name, argv=[str(layout.bin(name)), *args])


def infrastructure(layout: Layout) -> list[Service]:
    mysql_dir = layout.data / "mariadb"
    return [
        Service(
            name="mariadb",
            argv=[
                "/usr/sbin/mariadbd",
                "--no-defaults",
                "--user=root",
                f"--datadir={mysql_dir}",
                f"--socket={layout.run / 'mysqld.sock'}",
                f"--pid-file={layout.run / 'mariadb.pid'}",
                f"--bind-address={HOST}",
                f"--port={PORTS['mariadb']}",
                "--skip-name-resolve",
                "--max-connections=500",
                "--character-set-server=utf8mb4",
                "--collation-server=utf8mb4_general_ci",
                # throwaway data: trade durability for speed of the migrations
                "--innodb-buffer-pool-size=128M",
                "--innodb-flush-log-at-trx-commit=0",
                "--skip-innodb-doublewrite",
                "--innodb-log-file-size=64M",
            ],
            url=f"mysql://{HOST}:{PORTS['mariadb']}",
            port=PORTS["mariadb"],
        ),
        # Our own epmd, so that `down` can stop it by PID (Erlang would otherwise daemonize one).
        Service(
            name="epmd",
            argv=["/usr/bin/epmd", "-address", HOST, "-port", "4369"],
            url=f"epmd://{HOST}:4369",
            port=4369,
        ),
        Service(
            name="rabbitmq",
            argv=["/usr/lib/rabbitmq/bin/rabbitmq-server"],
            env=rabbitmq_env(layout),
            url=f"amqp://{HOST}:{PORTS['rabbitmq']}",
            port=PORTS["rabbitmq"],
        ),
    ]


def rabbitmq_env(layout: Layout) -> dict[str, str]:
    """Every RabbitMQ path under the local directory: nothing read from /etc or /var/lib."""
    etc, data = layout.etc / "rabbitmq", layout.data / "rabbitmq"
    return {
        "HOME": str(data),  # the Erlang cookie lives in $HOME
        "RABBITMQ_NODENAME": RABBITMQ_NODE,
        "RABBITMQ_NODE_IP_ADDRESS": HOST,
        "RABBITMQ_NODE_PORT": str(PORTS["rabbitmq"]),
        "RABBITMQ_DIST_PORT": "25672",
        "RABBITMQ_MNESIA_BASE": str(data / "mnesia"),
        "RABBITMQ_LOG_BASE": str(layout.logs),
        "RABBITMQ_LOGS": "-",
        "RABBITMQ_CONFIG_FILE": str(etc / "rabbitmq.conf"),
        "RABBITMQ_ADVANCED_CONFIG_FILE": str(etc / "advanced.config"),
        "RABBITMQ_CONF_ENV_FILE": str(etc / "rabbitmq-env.conf"),
        "RABBITMQ_ENABLED_PLUGINS_FILE": str(etc / "enabled_plugins"),
        "RABBITMQ_PID_FILE": str(layout.run / "rabbitmq.pid"),
        "ERL_EPMD_ADDRESS": HOST,
        "ERL_EPMD_PORT": "4369",
        "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": "-kernel inet_dist_use_interface {127,0,0,1}",
    }


def keystone(layout: Layout) -> Service:
    return _api(layout, "keystone", "keystone.wsgi.api:application", "OS_KEYSTONE_CONFIG_DIR")


def openstack(layout: Layout) -> list[Service]:
    """The services started once Keystone answers, in an order that suits a parallel start."""
    etc = layout.etc
    # glanceclient (Cinder's upload to an image) sends 1 MiB chunks: uwsgi's default limit
    # of a chunk is 1 MiB, headers included, so raise it (devstack sets 4096000 too)
    chunked = [
        "--http-chunked-input",
        "--http-auto-chunked",
        "--http-raw-body",
        "--chunked-input-limit",
        "4096000",
    ]
    return [
        _api(layout, "placement", "placement.wsgi.api:application", "OS_PLACEMENT_CONFIG_DIR"),
        _api(layout, "neutron-api", "neutron.wsgi.api:application", "OS_NEUTRON_CONFIG_DIR"),
        _api(layout, "glance-api", "glance.wsgi.api:application", "OS_GLANCE_CONFIG_DIR",
             extra=chunked),
        # cinder's WSGI module reads sys.argv: its config file comes in through --pyargv
        _api(layout, "cinder-api", "cinder.wsgi.api:application", "",
             extra=["--pyargv", f"--config-file {etc / 'cinder' / 'cinder.conf'}"]),
        _daemon(layout, "cinder-scheduler", etc / "cinder" / "cinder.conf"),
        _daemon(layout, "cinder-volume", etc / "cinder" / "cinder.conf"),
        _api(layout, "nova-api", "nova.wsgi.osapi_compute:application", "OS_NOVA_CONFIG_DIR"),
        _daemon(layout, "nova-conductor", etc / "nova" / "nova.conf"),
        _daemon(layout, "nova-scheduler", etc / "nova" / "nova.conf"),
        _daemon(layout, "nova-compute", etc / "nova" / "nova.conf"),
    ]  # fmt: skip
