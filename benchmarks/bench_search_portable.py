"""Median latency of /api/search with the extension functions (before issue 12) and with the stored
keys (after): two apps in one process, requests interleaved, result cache off.

    git show fd28565:queries/search.rq …  # the old queries/ into a folder, e.g. /tmp/queries-before
    python benchmarks/bench_search_portable.py OLD_STORE OLD_QUERIES_DIR NEW_STORE [ROUNDS]

OLD_STORE is a store loaded by the old code (no search-keys graph), NEW_STORE one loaded now.
"""

from __future__ import annotations

import statistics
import sys
import time
from urllib.parse import quote

TERMS = ["高松", "たかまつ", "takamatsu", "カンオンジ", "ｶﾝｵﾝｼﾞ", "kanonji", "Kan'onji", "香川県観音寺市",
         "H29f", "札幌市　北区", "防災", "osaka", "北区", "浜松", "sendai"]


def main(old_store: str, old_queries: str, new_store: str, rounds: int) -> None:
    """Print the median and p90 of each, their ratio, and the median per search term."""
    from server.app import create_app

    common = {"CACHE": False, "QUERY_WORKERS": 1, "TESTING": True}
    apps = {"before": create_app({"STORE": old_store, "QUERIES_DIR": old_queries, **common}).test_client(),
            "after": create_app({"STORE": new_store, **common}).test_client()}
    times: dict[str, dict[str, list[float]]] = {name: {t: [] for t in TERMS} for name in apps}
    for client in apps.values():  # warm up: query processes, caches
        for term in TERMS:
            assert client.get(f"/api/search?q={quote(term)}").status_code == 200
    for n in range(rounds):
        for term in TERMS:
            for name in ("before", "after") if n % 2 == 0 else ("after", "before"):
                start = time.perf_counter()
                response = apps[name].get(f"/api/search?q={quote(term)}")
                times[name][term].append(time.perf_counter() - start)
                assert response.status_code == 200
    every = {name: [x for xs in per_term.values() for x in xs] for name, per_term in times.items()}
    for name, xs in every.items():
        print(f"{name:6s} median {statistics.median(xs) * 1000:7.1f} ms  "
              f"p90 {statistics.quantiles(xs, n=10)[-1] * 1000:7.1f} ms  n={len(xs)}")
    ratio = statistics.median(every["after"]) / statistics.median(every["before"])
    print(f"after/before (medians): {ratio:.2f}")
    for term in TERMS:
        before, after = (statistics.median(times[name][term]) * 1000 for name in ("before", "after"))
        print(f"  {term:12s} before {before:6.1f} ms  after {after:6.1f} ms")


if __name__ == "__main__":
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]) if len(sys.argv) == 5 else 10)
