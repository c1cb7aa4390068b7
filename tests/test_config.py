"""Server configuration: defaults → TOML file → SMARTCITY_KG_* environment → options, each checked.

Unit tests of ``kg.config.load`` for every layer and every kind of bad value, then a live
server started with a file, the environment and command-line options at once (the session's
``limited_server``, see conftest).
"""

from __future__ import annotations

import collections
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from conftest import LIMITED_CACHE_CONTROL, LIMITED_MAX_ROWS, LIMITED_WEB_WORKERS

from kg.config import DEFAULTS, ConfigError, load


def _toml(tmp_path: Path, text: str) -> str:
    path = tmp_path / "smartcity-kg.toml"
    path.write_text(text)
    return str(path)


def test_defaults_without_file_or_environment():
    assert load(environ={}) == {**DEFAULTS, "STORE": str(Path(DEFAULTS["STORE"]))}


def test_each_layer_overrides_the_one_before(tmp_path):
    file = _toml(tmp_path, 'query_timeout = 3\nmax_rows = 30\ncache_control = "no-store"\nweb_workers = 3\n')
    environ = {"SMARTCITY_KG_CONFIG": file, "SMARTCITY_KG_MAX_ROWS": "40", "SMARTCITY_KG_WEB_WORKERS": "4"}
    config = load({"WEB_WORKERS": 5}, environ=environ)
    assert config["QUERY_TIMEOUT"] == 3.0  # file over default
    assert config["CACHE_CONTROL"] == "no-store"
    assert config["MAX_ROWS"] == 40  # environment over file
    assert config["WEB_WORKERS"] == 5  # option over environment
    assert config["QUERY_WORKERS"] == DEFAULTS["QUERY_WORKERS"]  # untouched


def test_the_config_option_beats_the_environment_variable(tmp_path):
    from_env = _toml(tmp_path, "max_rows = 1\n")
    chosen = tmp_path / "chosen.toml"
    chosen.write_text("max_rows = 2\n")
    assert load({"CONFIG": str(chosen)}, environ={"SMARTCITY_KG_CONFIG": from_env})["MAX_ROWS"] == 2


def test_options_left_unset_do_not_override():
    assert load({"MAX_ROWS": None}, environ={"SMARTCITY_KG_MAX_ROWS": "7"})["MAX_ROWS"] == 7


@pytest.mark.parametrize(("name", "value", "expected"), [
    ("CACHE", "off", False), ("CACHE", "Yes", True), ("IN_MEMORY", "0", False),
    ("QUERY_TIMEOUT", "2.5", 2.5), ("WEB_WORKERS", "1", 1),
    ("SERVICE_ALLOWLIST", "http://a.example/sparql, http://b.example/sparql",
     ["http://a.example/sparql", "http://b.example/sparql"]),
    ("CORS_ORIGINS", "", []),
])
def test_environment_strings_are_coerced(name, value, expected):
    assert load(environ={"SMARTCITY_KG_" + name: value})[name] == expected


@pytest.mark.parametrize(("name", "value", "message"), [
    ("CACHE", "maybe", "CACHE: 'maybe' is not on/off"),
    ("QUERY_TIMEOUT", "0", "QUERY_TIMEOUT: '0' is not a positive number"),
    ("QUERY_TIMEOUT", "ten", "QUERY_TIMEOUT: 'ten' is not a positive number"),
    ("WEB_WORKERS", "0", "WEB_WORKERS: '0' is not a positive whole number"),
    ("MAX_ROWS", "1.5", "MAX_ROWS: '1.5' is not a positive whole number"),
])
def test_bad_values_name_the_setting(name, value, message):
    with pytest.raises(ConfigError) as caught:
        load(environ={"SMARTCITY_KG_" + name: value})
    assert str(caught.value) == message


def test_unknown_environment_variables_are_ignored_but_unknown_file_keys_refused(tmp_path):
    assert load(environ={"SMARTCITY_KG_NO_SUCH_THING": "1"}) == load(environ={})
    file = _toml(tmp_path, "query_timout = 3\n")  # misspelt
    with pytest.raises(ConfigError, match="unknown setting QUERY_TIMOUT"):
        load(environ={"SMARTCITY_KG_CONFIG": file})


@pytest.mark.parametrize("text", ["query_timeout = \n", "[[[", "max_rows = 1\nmax_rows = 2\n"])
def test_a_malformed_file_is_refused_with_its_name(tmp_path, text):
    file = _toml(tmp_path, text)
    with pytest.raises(ConfigError, match=f"config file {file}: "):
        load(environ={"SMARTCITY_KG_CONFIG": file})


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="config file .*missing.toml"):
        load({"CONFIG": str(tmp_path / "missing.toml")}, environ={})


# --- the real server ------------------------------------------------------------------------------

def _web_processes(master: int) -> int:
    """The HTTP server's worker processes: the children of its master that run the web app."""
    parents = collections.Counter()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
                command = Path(f"/proc/{entry}/cmdline").read_bytes()
            except OSError:
                continue
            if int(fields[1]) == master and b"spawn_main" not in command and fields[0] != "Z":
                parents[master] += 1
    return parents[master]


@pytest.mark.slow
def test_server_takes_file_then_environment_then_options(limited_server):
    """The file sets cache_control, max_rows = 2, web_workers = 3; the environment MAX_ROWS = 100 and
    WEB_WORKERS = 3; the option --workers 2."""
    response = requests.get(limited_server.sparql, timeout=30, headers={"Accept": "text/csv"},
                            params={"query": f"SELECT ?s {{ ?s ?p ?o }} LIMIT {LIMITED_MAX_ROWS + 10}"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == LIMITED_CACHE_CONTROL  # from the file
    # the environment beat the file
    assert response.headers["X-Result-Truncated"] == f"max-rows={LIMITED_MAX_ROWS}"
    assert len(response.text.splitlines()) == 1 + LIMITED_MAX_ROWS
    assert _web_processes(limited_server.process.pid) == LIMITED_WEB_WORKERS  # the option beat both


def test_serve_refuses_a_bad_setting_with_its_name(kg_root):
    script = Path(sys.executable).parent / "smartcity-kg"
    done = subprocess.run([str(script), "serve", "--store", str(kg_root / "store"), "--port", "1"],
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, "SMARTCITY_KG_QUERY_TIMEOUT": "-1"})
    assert done.returncode != 0
    assert "QUERY_TIMEOUT: '-1' is not a positive number" in done.stderr
    assert "Traceback" not in done.stderr
