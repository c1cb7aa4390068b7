"""Restart the replicas behind HAProxy one at a time, each drained first: no request fails.

    python3 deploy/haproxy/rolling_restart.py --socket /run/haproxy/smartcity-kg.sock \
        --restart 'systemctl restart smartcity-kg@{port}'

For each server of the backend, in turn, through HAProxy's runtime API (the ``stats socket`` of
haproxy.cfg, ``level admin``):

1. ``set server replicas/rN state drain``: HAProxy sends it no new request;
2. wait until it has no request in progress (``scur`` of ``show stat`` is 0);
3. run the restart command (``{name}``, ``{address}``, ``{host}`` and ``{port}`` filled in);
4. wait until the replica's own ``/healthz`` answers 200, then ``set server … state ready``;
5. wait until HAProxy's health checks report it ``UP`` again, and go on to the next server.

If a step times out the script stops with that server still drained (exit 1): the others
carry the traffic; ``set server replicas/rN state ready`` puts it back by hand.
"""

from __future__ import annotations

import argparse
import csv
import shlex
import socket as sockets
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass

BACKEND = "replicas"


class RolloutError(Exception):
    """A step of the rolling restart did not complete in time."""


@dataclass(frozen=True)
class Server:
    """A server as ``show stat`` reports it: name, address, status (UP, DOWN, DRAIN, …), requests now."""

    name: str
    address: str
    status: str
    current: int


def command(socket_path: str, line: str, timeout: float = 5.0) -> str:
    """Send one command to HAProxy's runtime API and return its answer.

    :raises RolloutError: when HAProxy refuses the command (it answers with a message).
    """
    with sockets.socket(sockets.AF_UNIX, sockets.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        sock.connect(socket_path)
        sock.sendall(line.encode() + b"\n")
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    answer = b"".join(chunks).decode()
    if line.startswith("set ") and answer.strip():
        raise RolloutError(f"HAProxy refused {line!r}: {answer.strip()}")
    return answer


def servers(socket_path: str, backend: str = BACKEND) -> list[Server]:
    """The servers of ``backend`` as ``show stat`` reports them now."""
    rows = csv.DictReader(command(socket_path, "show stat").lstrip("# ").splitlines())
    return [Server(row["svname"], row["addr"], row["status"], int(row["scur"] or 0))
            for row in rows if row["pxname"] == backend and row["svname"] not in ("FRONTEND", "BACKEND")]


def _server(socket_path: str, backend: str, name: str) -> Server:
    for server in servers(socket_path, backend):
        if server.name == name:
            return server
    raise RolloutError(f"no server {backend}/{name}")


def _wait(what: str, condition: Callable[[], bool], timeout: float, interval: float = 0.2) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RolloutError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(interval)


def healthy(address: str, timeout: float = 2.0) -> bool:
    """Whether ``http://<address>/healthz`` answers 200 now."""
    try:
        with urllib.request.urlopen(f"http://{address}/healthz", timeout=timeout) as response:
            return response.status == 200
    except OSError:
        return False


def restart_one(socket_path: str, backend: str, server: Server, restart: Callable[[Server], None],
                drain_timeout: float = 60.0, up_timeout: float = 120.0, say=print) -> None:
    """Drain ``server``, restart it with ``restart(server)``, and put it back once HAProxy sees it up.

    :raises RolloutError: when a step does not complete within its timeout.
    """
    target = f"{backend}/{server.name}"
    say(f"{target} ({server.address}): draining")
    command(socket_path, f"set server {target} state drain")
    _wait(f"{target} to finish its requests",
          lambda: _server(socket_path, backend, server.name).current == 0, drain_timeout)
    say(f"{target}: restarting")
    restart(server)
    _wait(f"{server.address}/healthz to answer 200", lambda: healthy(server.address), up_timeout)
    command(socket_path, f"set server {target} state ready")
    _wait(f"HAProxy to see {target} UP",
          lambda: _server(socket_path, backend, server.name).status == "UP", up_timeout)
    say(f"{target}: up")


def rolling_restart(socket_path: str, restart: Callable[[Server], None], backend: str = BACKEND,
                    drain_timeout: float = 60.0, up_timeout: float = 120.0, say=print) -> list[str]:
    """Restart every server of ``backend``, one at a time; return their names in order.

    :raises RolloutError: when a step does not complete, or a server is not UP to begin with
        (restarting one while another is down could leave no server at all).
    """
    names = []
    for server in servers(socket_path, backend):
        others_down = [s.name for s in servers(socket_path, backend)
                       if s.name != server.name and not s.status.startswith("UP")]
        if others_down:
            raise RolloutError(f"not restarting {server.name}: {', '.join(others_down)} not UP")
        restart_one(socket_path, backend, server, restart, drain_timeout, up_timeout, say)
        names.append(server.name)
    return names


def shell_restart(template: str) -> Callable[[Server], None]:
    """A ``restart`` that runs ``template`` (``{name}``, ``{address}``, ``{host}``, ``{port}`` filled in).

    :raises RolloutError: when the command exits with a status other than 0.
    """
    def restart(server: Server) -> None:
        host, _, port = server.address.rpartition(":")
        args = [part.format(name=server.name, address=server.address, host=host, port=port)
                for part in shlex.split(template)]
        completed = subprocess.run(args, check=False)
        if completed.returncode:
            raise RolloutError(f"{' '.join(args)} exited with status {completed.returncode}")

    return restart


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--socket", required=True, help="HAProxy's stats socket (level admin)")
    parser.add_argument("--backend", default=BACKEND, help=f"backend name (default {BACKEND})")
    parser.add_argument("--restart", required=True,
                        help="command restarting one replica, e.g. 'systemctl restart smartcity-kg@{port}'")
    parser.add_argument("--drain-timeout", type=float, default=60.0,
                        help="seconds to wait for a drained replica's requests to finish (default 60)")
    parser.add_argument("--up-timeout", type=float, default=120.0,
                        help="seconds to wait for a restarted replica to be healthy (default 120)")
    args = parser.parse_args(argv)
    try:
        rolling_restart(args.socket, shell_restart(args.restart), args.backend,
                        args.drain_timeout, args.up_timeout)
    except (RolloutError, OSError) as exc:
        print(f"rolling restart stopped: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
