"""Reads that scale out (issue 12, item 5): two replicas behind HAProxy, and no request fails.

Real processes only: two ``smartcity-kg serve`` replicas (granian, one web and one query process
each, result cache off so that every request runs its query, ``SMARTCITY_KG_DRAIN_SECONDS=3``)
on loopback ports, following one store link, and Debian's ``haproxy`` with the configuration of
``deploy/haproxy`` in front. While client threads keep requesting SPARQL results, a canned query
and a page through HAProxy, one replica is stopped and started again, then both are restarted by
``deploy/haproxy/rolling_restart.py``, then a new store version is loaded: every answer must be a
200 with the right body, and after the load every answer must come from the new version.

The same replica restart also runs behind ``nginx`` with ``deploy/nginx/smartcity-kg.conf``
(passive health checks only). Without ``haproxy`` (or ``nginx``) the tests are skipped with the
reason, or fail under ``CI=true``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from conftest import PROJECT_DIR, free_port

from loader import pipeline

HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
HAPROXY_DIR = PROJECT_DIR / "deploy" / "haproxy"
NGINX_CONF = PROJECT_DIR / "deploy" / "nginx" / "smartcity-kg.conf"
#: Seconds a replica's /healthz answers 503 after a SIGTERM (server/serve.py) before it stops.
DRAIN_SECONDS = 3
COUNT_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
MUNICIPALITY = "372013"  # a page: /page/municipality/<code>

pytestmark = pytest.mark.slow


def _module(path: Path):
    """Import a script of deploy/ (not a package) by its path."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


render = _module(HAPROXY_DIR / "render.py")
rolling = _module(HAPROXY_DIR / "rolling_restart.py")


def _need(binary: str, package: str) -> None:
    """Skip (fail under CI=true) when ``binary`` of Debian package ``package`` is not installed."""
    if not os.access(binary, os.X_OK):
        reason = f"{package} is not installed (apt-get install {package})"
        if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
            pytest.fail(f"CI=true and the scale-out tests cannot run: {reason}", pytrace=False)
        pytest.skip(reason)


@pytest.fixture(scope="module", autouse=True)
def need_haproxy():
    """HAProxy must be installed (Debian package ``haproxy``)."""
    _need(HAPROXY, "haproxy")


# --- replicas and the balancer ---------------------------------------------------------------------


def _get(url: str, timeout: float = 2.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def start_replica(store: Path, port: int, log: Path) -> subprocess.Popen:
    """``smartcity-kg serve`` on ``port`` (1 web process, 1 query process, no result cache, drain on
    SIGTERM); returns once its /healthz answers 200."""
    script = Path(sys.executable).parent / "smartcity-kg"
    with open(log, "ab") as out:
        process = subprocess.Popen(
            [str(script), "serve", "--host", "127.0.0.1", "--port", str(port), "--store", str(store),
             "--workers", "1", "--query-workers", "1", "--no-cache"],
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            env={**os.environ, "SMARTCITY_KG_DRAIN_SECONDS": str(DRAIN_SECONDS)})
    deadline = time.monotonic() + 60
    while True:
        try:
            if _get(f"http://127.0.0.1:{port}/healthz")[0] == 200:
                return process
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            stop_replica(process)
            raise RuntimeError(f"replica on port {port} did not start: {log.read_text()[-2000:]}")
        time.sleep(0.1)


def stop_replica(process: subprocess.Popen, timeout: float = 30) -> None:
    """SIGTERM to the main process only (as systemd's KillMode=mixed does): it drains, then stops."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
    try:
        os.killpg(process.pid, signal.SIGKILL)  # anything of it left behind
    except ProcessLookupError:
        pass


@dataclass
class Cluster:
    """The replicas (by HAProxy server name), HAProxy, and where to reach them."""

    store: Path
    folder: Path
    ports: dict[str, int]
    replicas: dict[str, subprocess.Popen]
    haproxy: subprocess.Popen
    base: str
    socket: str

    def restart(self, name: str) -> None:
        """Stop replica ``name`` (with its drain) and start it again on the same port."""
        stop_replica(self.replicas[name])
        self.replicas[name] = start_replica(self.store, self.ports[name], self.folder / f"{name}.log")

    def status(self, name: str) -> str:
        """HAProxy's view of server ``name``: UP, DOWN, DRAIN, … (from ``show stat``)."""
        return {s.name: s.status for s in rolling.servers(self.socket)}[name]

    def wait_up(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not all(s.status == "UP" for s in rolling.servers(self.socket)):
            if time.monotonic() > deadline:
                raise AssertionError(f"not all servers UP: {rolling.servers(self.socket)}")
            time.sleep(0.1)


@pytest.fixture(scope="module")
def cluster(kg, tmp_path_factory) -> Cluster:
    """A store of its own (loaded like the session's, so its validation is remembered), two replicas
    following it, and HAProxy in front; all stopped at the end."""
    folder = tmp_path_factory.mktemp("scaleout")
    store = folder / "store"
    pipeline.load(store, ttl_dir=None, dumps=False)
    ports = {render.server_name(i): free_port() for i in range(2)}
    replicas: dict[str, subprocess.Popen] = {}
    haproxy = None
    try:
        for name, port in ports.items():
            replicas[name] = start_replica(store, port, folder / f"{name}.log")
        listen = free_port()
        socket_path = str(folder / "haproxy.sock")
        config = folder / "haproxy.cfg"
        config.write_text(render.render(f"127.0.0.1:{listen}", [f"127.0.0.1:{p}" for p in ports.values()],
                                        socket_path, log="stderr format raw local0"))
        subprocess.run([HAPROXY, "-c", "-q", "-f", str(config)], check=True)
        with open(folder / "haproxy.log", "ab") as out:
            haproxy = subprocess.Popen([HAPROXY, "-f", str(config), "-db"], stdout=out,
                                       stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while not Path(socket_path).exists():
            assert haproxy.poll() is None, (folder / "haproxy.log").read_text()
            assert time.monotonic() < deadline, "haproxy did not open its stats socket"
            time.sleep(0.05)
        result = Cluster(store, folder, ports, replicas, haproxy, f"http://127.0.0.1:{listen}", socket_path)
        result.wait_up()
        yield result
    finally:
        if haproxy is not None:
            haproxy.terminate()
            haproxy.wait(10)
        for process in replicas.values():
            stop_replica(process)


# --- the client load -------------------------------------------------------------------------------


@dataclass
class Answer:
    """One request of the load: when it started and ended, what came back, what was wrong (if anything)."""

    started: float
    ended: float
    url: str
    status: int | None
    version: str | None
    problem: str | None


@dataclass
class Load:
    """Client threads requesting through HAProxy until stopped; each answer is checked against
    ``expected`` (path → check of the body)."""

    base: str
    threads: int = 4
    answers: list[Answer] = field(default_factory=list)

    def __post_init__(self):
        direct = requests.get(self.base + "/sparql", params={"query": COUNT_QUERY},
                              headers={"Accept": "application/sparql-results+json"}, timeout=30)
        triples = json.loads(direct.text)["results"]["bindings"][0]["n"]["value"]
        programs = requests.get(self.base + "/api/programs-by-year", timeout=30).json()
        assert programs, "the canned query gives no rows"
        page = requests.get(f"{self.base}/page/municipality/{MUNICIPALITY}", timeout=30)
        assert page.status_code == 200, page.text
        self.requests = [
            ("/sparql", {"query": COUNT_QUERY}, {"Accept": "application/sparql-results+json"},
             lambda r: r.json()["results"]["bindings"][0]["n"]["value"] == triples),
            ("/api/programs-by-year", {}, {}, lambda r: r.json() == programs),
            (f"/page/municipality/{MUNICIPALITY}", {}, {"Accept": "text/html"},
             lambda r: r.headers["Content-Type"].startswith("text/html") and MUNICIPALITY in r.text),
        ]
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run, args=(i,), daemon=True)
                         for i in range(self.threads)]

    def _run(self, offset: int) -> None:
        session = requests.Session()
        turn = offset
        while not self._stop.is_set():
            path, params, headers, check = self.requests[turn % len(self.requests)]
            turn += 1
            started = time.monotonic()
            status = version = problem = None
            try:
                response = session.get(self.base + path, params=params, headers=headers, timeout=60)
                status = response.status_code
                etag = response.headers.get("ETag", "")
                version = etag.strip('W/"').rsplit("-", 1)[0] if path == "/sparql" else None
                if status != 200:
                    problem = f"{status}: {response.text[:300]}"
                elif not check(response):
                    problem = f"wrong body: {response.text[:300]}"
            except (requests.RequestException, ValueError, KeyError) as exc:
                problem = repr(exc)
            with self._lock:
                self.answers.append(Answer(started, time.monotonic(), path, status, version, problem))

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(90)

    def run_for(self, seconds: float) -> None:
        """Let the load run ``seconds`` more (the clients keep going meanwhile)."""
        time.sleep(seconds)

    def run_until(self, done, timeout: float = 60.0) -> None:
        """Let the load run until ``done(answers)`` holds (at most ``timeout`` seconds)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if done(list(self.answers)):
                    return
            time.sleep(0.1)

    def failures(self) -> list[Answer]:
        return [a for a in self.answers if a.problem]


def _served(cluster: Cluster) -> dict[str, int]:
    """Requests each server has answered so far (``stot`` of ``show stat``)."""
    import csv

    rows = csv.DictReader(rolling.command(cluster.socket, "show stat").lstrip("# ").splitlines())
    return {r["svname"]: int(r["stot"]) for r in rows if r["pxname"] == rolling.BACKEND
            and r["svname"] in cluster.ports}


# --- the tests -------------------------------------------------------------------------------------


def test_committed_configuration_is_the_rendered_one():
    """deploy/haproxy/haproxy.cfg is what render.py writes by default, and HAProxy accepts it."""
    committed = (HAPROXY_DIR / "haproxy.cfg").read_text()
    assert committed == render.render()
    checked = subprocess.run([HAPROXY, "-c", "-f", str(HAPROXY_DIR / "haproxy.cfg")],
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    for line in ("option httpchk", "http-check send meth GET uri /healthz", "http-check expect status 200",
                 "option redispatch", "retry-on conn-failure empty-response", "balance leastconn"):
        assert line in committed


def test_render_refuses_bad_addresses():
    with pytest.raises(ValueError, match="host:port"):
        render.render(replicas=["127.0.0.1"])
    with pytest.raises(ValueError, match="at least one"):
        render.render(replicas=[])


def test_both_replicas_answer(cluster):
    before = _served(cluster)
    with Load(cluster.base) as load:
        load.run_for(3)
    after = _served(cluster)
    assert not load.failures(), load.failures()[:5]
    assert len(load.answers) >= 10
    assert all(after[name] > before[name] for name in cluster.ports), (before, after)


def test_replica_stopped_and_started_without_a_failed_request(cluster):
    """SIGTERM to a replica: /healthz goes 503, HAProxy takes it out before it stops, no request fails."""
    process = cluster.replicas["r1"]
    port = cluster.ports["r1"]
    with Load(cluster.base) as load:
        load.run_for(1)
        process.send_signal(signal.SIGTERM)
        drained = down_before_exit = False
        while process.poll() is None:
            try:
                drained |= _get(f"http://127.0.0.1:{port}/healthz", timeout=1)[0] == 503
            except OSError:
                pass
            down_before_exit |= cluster.status("r1").startswith("DOWN")
            time.sleep(0.05)
        stopped = time.monotonic()
        served_alone = _served(cluster)["r2"]
        load.run_for(1)
        assert _served(cluster)["r2"] > served_alone, "the other replica took no requests"
        cluster.restart("r1")
        cluster.wait_up()
        load.run_for(1)
    assert drained, "the replica never answered /healthz with 503 while draining"
    assert down_before_exit, "HAProxy still had the replica UP when it stopped"
    assert not load.failures(), load.failures()[:5]
    assert any(a.started > stopped for a in load.answers)


def test_rolling_restart_without_a_failed_request(cluster):
    """deploy/haproxy/rolling_restart.py: drain through the stats socket, restart, ready; one by one."""
    pids = {name: p.pid for name, p in cluster.replicas.items()}
    with Load(cluster.base) as load:
        load.run_for(1)
        done = rolling.rolling_restart(cluster.socket, lambda server: cluster.restart(server.name),
                                       say=lambda message: None)
        load.run_for(1)
    assert done == ["r1", "r2"]
    assert all(cluster.replicas[name].pid != pid for name, pid in pids.items())
    assert not load.failures(), load.failures()[:5]
    cluster.wait_up(5)


def test_rolling_restart_stops_when_a_server_is_down(cluster):
    """With another server not UP, restarting one could leave none: the script refuses."""
    rolling.command(cluster.socket, "set server replicas/r2 state maint")
    try:
        with pytest.raises(rolling.RolloutError, match="r2 not UP"):
            rolling.rolling_restart(cluster.socket, lambda server: None, say=lambda message: None)
        assert cluster.status("r1") == "UP"  # not drained
    finally:
        rolling.command(cluster.socket, "set server replicas/r2 state ready")
    cluster.wait_up()


def test_new_store_version_rolled_out_without_a_failed_request(cluster):
    """``pipeline.load`` into the store the replicas follow: no failure, then only the new version."""
    old = json.loads(_get(cluster.base + "/healthz")[1])["version"]
    with Load(cluster.base) as load:
        load.run_for(1)
        report = pipeline.load(cluster.store, ttl_dir=None, dumps=False)
        switched = time.monotonic()
        load.run_for(2)
        # query processes reopen the new version before answering: on a slow machine the first
        # answers to requests started after the switch can take longer than those 2 s
        load.run_until(lambda answers: any(a.url == "/sparql" and a.started > switched for a in answers))
    assert report.version != old
    assert not load.failures(), load.failures()[:5]
    before = [a.version for a in load.answers if a.version and a.ended < switched]
    after = [a for a in load.answers if a.url == "/sparql" and a.started > switched]
    assert before[0] == old and set(before) <= {old, report.version}, set(before)
    assert after and {a.version for a in after} == {report.version}
    for name, port in cluster.ports.items():
        assert json.loads(_get(f"http://127.0.0.1:{port}/healthz")[1])["version"] == report.version, name


# --- nginx ------------------------------------------------------------------------------------------


def nginx_config(folder: Path, listen: int, ports: list[int]) -> Path:
    """A whole nginx.conf around deploy/nginx/smartcity-kg.conf, its addresses changed to these ports."""
    site = NGINX_CONF.read_text().replace("127.0.0.1:8080", f"127.0.0.1:{listen}")
    for default, port in zip((8081, 8082), ports, strict=True):
        site = site.replace(f"127.0.0.1:{default}", f"127.0.0.1:{port}")
    config = folder / "nginx.conf"
    config.write_text(f"daemon off;\nworker_processes 1;\npid {folder}/nginx.pid;\nerror_log stderr notice;\n"
                      f"events {{ worker_connections 512; }}\nhttp {{\naccess_log off;\n{site}\n}}\n")
    return config


@pytest.fixture(scope="module")
def nginx(cluster) -> str:
    """nginx in front of the cluster's replicas; its base URL."""
    _need(NGINX, "nginx")
    folder = cluster.folder / "nginx"
    folder.mkdir()
    listen = free_port()
    config = nginx_config(folder, listen, list(cluster.ports.values()))
    command = [NGINX, "-p", str(folder), "-c", str(config), "-e", "stderr"]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    with open(folder / "nginx.log", "ab") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if _get(f"http://127.0.0.1:{listen}/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert process.poll() is None and time.monotonic() < deadline, (folder / "nginx.log").read_text()
            time.sleep(0.1)
        yield f"http://127.0.0.1:{listen}"
    finally:
        process.terminate()
        process.wait(10)


def test_nginx_replica_stopped_and_started_without_a_failed_request(cluster, nginx):
    """Behind nginx (passive checks): a replica stops and starts again, no request fails."""
    with Load(nginx) as load:
        load.run_for(1)
        stopped = time.monotonic()
        cluster.restart("r1")
        load.run_for(1)
        cluster.restart("r2")
        load.run_for(1)
    assert not load.failures(), load.failures()[:5]
    assert any(a.started > stopped for a in load.answers)


def test_bad_drain_setting_is_refused_with_a_message(tmp_path):
    """A DRAIN_SECONDS that is not 0–600 seconds stops ``serve`` before it starts, without a traceback."""
    script = Path(sys.executable).parent / "smartcity-kg"
    command = [str(script), "serve", "--port", str(free_port()), "--store", str(tmp_path / "none")]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "SMARTCITY_KG_DRAIN_SECONDS": "-1"})
    assert done.returncode == 2
    assert "DRAIN_SECONDS: '-1' is not a number of seconds from 0 to 600" in done.stderr
    assert "Traceback" not in done.stderr
