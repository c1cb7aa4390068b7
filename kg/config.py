"""Settings of the server and of loads into a remote engine: defaults, a TOML file,
SMARTCITY_KG_* variables, then options (in kg, so that ``smartcity-kg load`` reads them without the server).

Every value is checked once at start-up; a bad value stops the server with a message that
names the setting and what it accepts.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kg.defaults import DEFAULT_STORE, ENV_PREFIX
from kg.errors import ConfigError

DEFAULTS: dict[str, Any] = {
    "STORE": str(DEFAULT_STORE),           # store link written by `smartcity-kg load`
    "QUERY_TIMEOUT": 10.0,                 # seconds a query may run
    "MAX_ROWS": 100_000,                   # result rows (or triples) at most; more are cut off
    "MAX_REQUEST_BYTES": 1_000_000,        # request body (and URL query string) at most
    "MAX_QUERY_DEPTH": 64,                 # nesting of { ( [ in a query at most
    "HTTP_SERVER": "granian",              # granian or gunicorn (both run the same Flask app)
    "WEB_WORKERS": 2,                      # web processes (each with its own query processes)
    "HTTP_THREADS": 8,                     # request threads per web process
    "QUERY_WORKERS": 2,                    # query processes per web process
    "IN_MEMORY": True,                     # each query process holds the data in memory
    "UNION_DEFAULT_GRAPH": True,           # default graph = union of the named graphs
    "SERVICE_ALLOWLIST": [],               # SERVICE endpoints queries may call ("*" = any)
    "CORS_ORIGINS": ["*"],                 # origins allowed to read cross-site
    "CACHE": True,                         # result cache for repeated identical queries
    "CACHE_ENTRIES": 512,
    "CACHE_MAX_BYTES": 1_000_000,          # results larger than this are not cached
    "CACHE_CONTROL": "public, max-age=60",
    # issue 12: a remote SPARQL engine instead of the embedded store (kg/remote.py)
    "ENGINE": "embedded",                  # embedded (the store at STORE) or remote
    "REMOTE_QUERY_URL": "",                # the engine's SPARQL 1.1 Protocol query URL
    "REMOTE_STORE_URL": "",                # its SPARQL 1.1 Graph Store URL (for `smartcity-kg load`)
    "REMOTE_USER": "",                     # credentials, where the engine needs them
    "REMOTE_PASSWORD": "",
    "REMOTE_AUTH": "none",                 # none, basic or digest (Virtuoso's Graph Store: digest)
    "REMOTE_TIMEOUT_PARAMETER": "",        # query parameter for the engine's own time limit in ms
                                           # (Virtuoso, Fuseki: timeout); Oxigraph: --timeout-s
    "REMOTE_POLL": 1.0,                    # seconds between reads of the engine's load record
}


#: Settings that take one of a few words.
CHOICES: dict[str, tuple[str, ...]] = {"HTTP_SERVER": ("granian", "gunicorn"),
                                       "ENGINE": ("embedded", "remote"),
                                       "REMOTE_AUTH": ("none", "basic", "digest")}


def _coerce(key: str, value: Any) -> Any:
    default = DEFAULTS[key]
    if key in CHOICES:
        word = str(value).strip().lower()
        if word not in CHOICES[key]:
            raise ConfigError(f"{key}: {value!r} is not one of {', '.join(CHOICES[key])}")
        return word
    try:
        if isinstance(default, bool):
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in ("1", "true", "yes", "on"):
                return True
            if text in ("0", "false", "no", "off"):
                return False
            raise ValueError
        if isinstance(default, int):
            number = int(value)
            if number < 1:
                raise ValueError
            return number
        if isinstance(default, float):
            number = float(value)
            if not number > 0:
                raise ValueError
            return number
        if isinstance(default, list):
            items = value if isinstance(value, list) else str(value).split(",")
            return [str(item).strip() for item in items if str(item).strip()]
        return str(value)
    except (TypeError, ValueError):
        kind = {bool: "on/off", int: "a positive whole number", float: "a positive number"}.get(
            type(default), "a value")
        raise ConfigError(f"{key}: {value!r} is not {kind}") from None


def load(overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> dict:
    """The effective configuration.

    :raises ConfigError: for an unknown key in the file or overrides, or a value of the wrong kind.
    """
    environ = os.environ if environ is None else environ
    config = dict(DEFAULTS)
    overrides = {k.upper(): v for k, v in (overrides or {}).items() if v is not None}
    file = overrides.pop("CONFIG", None) or environ.get(ENV_PREFIX + "CONFIG")
    layers: list[Mapping[str, Any]] = []
    if file:
        try:
            with open(file, "rb") as handle:
                layers.append({k.upper(): v for k, v in tomllib.load(handle).items()})
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"config file {file}: {exc}") from None
    layers.append({k[len(ENV_PREFIX):]: v for k, v in environ.items()
                   if k.startswith(ENV_PREFIX) and k[len(ENV_PREFIX):] in DEFAULTS})
    layers.append(overrides)
    for layer in layers:
        for key, value in layer.items():
            if key not in DEFAULTS:
                raise ConfigError(f"unknown setting {key} (known: {', '.join(sorted(DEFAULTS))})")
            config[key] = _coerce(key, value)
    config["STORE"] = str(Path(config["STORE"]))
    return config


def as_text(key: str, value: Any) -> str:
    """A setting's value as an environment variable spells it (the inverse of the coercion).

    >>> as_text("CACHE", False), as_text("SERVICE_ALLOWLIST", ["http://a", "http://b"])
    ('off', 'http://a,http://b')
    """
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, list | tuple):
        return ",".join(str(item) for item in value)
    return str(value)
