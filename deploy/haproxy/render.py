"""Write an HAProxy configuration for replicas of ``smartcity-kg serve`` (from haproxy.cfg.in).

    python3 deploy/haproxy/render.py --listen 127.0.0.1:8080 \
        --replica 127.0.0.1:8081 --replica 127.0.0.1:8082 > /etc/haproxy/haproxy.cfg

Without options it prints haproxy.cfg as committed (two replicas, ports 8081 and 8082).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from string import Template

TEMPLATE = Path(__file__).with_name("haproxy.cfg.in")
DEFAULT_LISTEN = "127.0.0.1:8080"
DEFAULT_REPLICAS = ("127.0.0.1:8081", "127.0.0.1:8082")
DEFAULT_SOCKET = "/run/haproxy/smartcity-kg.sock"
DEFAULT_LOG = "/dev/log local0"
BACKEND = "replicas"


def server_name(index: int) -> str:
    """The name of the ``index``-th replica (from 0) in the backend: r1, r2, …"""
    return f"r{index + 1}"


def render(listen: str = DEFAULT_LISTEN, replicas: Sequence[str] = DEFAULT_REPLICAS,
           socket: str = DEFAULT_SOCKET, log: str = DEFAULT_LOG) -> str:
    """The configuration text: a frontend on ``listen``, one checked server per replica address.

    ``log`` is the target of the request log (``stderr format raw local0`` under ``haproxy -db``),
    or ``none`` for no log.
    """
    if not replicas:
        raise ValueError("at least one replica address is needed")
    for address in (listen, *replicas):
        host, _, port = address.rpartition(":")
        if not host or not port.isdigit():
            raise ValueError(f"{address!r} is not host:port")
    servers = "\n".join(f"    server {server_name(i)} {address}" for i, address in enumerate(replicas))
    log_line = "    # no request log (render.py --log none)" if log == "none" else f"    log {log}"
    return Template(TEMPLATE.read_text()).substitute(listen=listen, socket=socket, servers=servers,
                                                     log=log_line)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", default=DEFAULT_LISTEN,
                        help=f"address:port clients use ({DEFAULT_LISTEN})")
    parser.add_argument("--replica", action="append", help="address:port of a replica (repeat; default "
                        + " and ".join(DEFAULT_REPLICAS) + ")")
    parser.add_argument("--socket", default=DEFAULT_SOCKET, help=f"stats socket path ({DEFAULT_SOCKET})")
    parser.add_argument("--log", default=DEFAULT_LOG,
                        help=f"request log target, or none (default {DEFAULT_LOG}; "
                        "'stderr format raw local0' under haproxy -db)")
    args = parser.parse_args(argv)
    try:
        sys.stdout.write(render(args.listen, args.replica or DEFAULT_REPLICAS, args.socket, args.log))
    except ValueError as exc:
        parser.error(str(exc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
