"""Where things are by default: the project's folders, the store link, the base IRI.

Defaults only; the loader's options and the server's settings override them.
"""

from __future__ import annotations

from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
SOURCE_DIR = PROJECT_DIR / "data" / "source"
TTL_DIR = PROJECT_DIR / "data" / "ttl"
QUERIES_DIR = PROJECT_DIR / "queries"
DEFAULT_STORE = PROJECT_DIR / "var" / "store"
DEFAULT_BASE_IRI = "https://w3id.org/smartcity-kg"
#: Environment variables of every command and of the server start with it.
ENV_PREFIX = "SMARTCITY_KG_"
