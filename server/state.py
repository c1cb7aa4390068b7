"""What the web layer knows about the store version being served: when it was loaded, its graphs."""

from __future__ import annotations

import functools
import json
import os
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from werkzeug.http import http_date

from loader.errors import StoreError
from loader.store import META_SUFFIX


@dataclass(frozen=True, eq=False)
class Snapshot:
    """The metadata a load wrote beside one store version."""

    version: str
    loaded_at: datetime
    triples: int
    graphs: dict[str, int]

    @functools.cached_property
    def http_date(self) -> str:
        """``loaded_at`` as a Last-Modified header value (formatted once, sent with every result)."""
        return http_date(self.loaded_at)


class StoreState:
    """Follows the store link and rereads the version's metadata when it moves."""

    def __init__(self, link: Path):
        self.link = Path(link)
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None

    def current(self) -> Snapshot:
        """The snapshot of the version the link points at now.

        :raises StoreError: when there is no complete store version at the link.
        """
        try:  # one readlink per call: this runs on every request
            version = os.path.basename(os.readlink(self.link))
        except OSError:
            raise StoreError(f"{self.link}: no store here") from None
        with self._lock:
            if self._snapshot is None or self._snapshot.version != version:
                target = self.link.resolve()
                meta_file = target.with_name(target.name + META_SUFFIX)
                try:
                    meta = json.loads(meta_file.read_text())
                except (OSError, ValueError):
                    raise StoreError(f"{self.link}: no complete store version") from None
                loaded_at = datetime.fromisoformat(meta["created"]).astimezone(UTC)
                self._snapshot = Snapshot(target.name, loaded_at, int(meta["triples"]),
                                          dict(meta.get("graphs", {})))
            return self._snapshot

    @property
    def loaded_at(self) -> datetime:
        return self.current().loaded_at

    @property
    def graphs(self) -> dict[str, int]:
        return self.current().graphs
