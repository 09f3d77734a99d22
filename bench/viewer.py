"""How fast the viewer answers on a store of 100k traces: the runs list (budget: <= 200 ms)
and the overview page's aggregates (budget: <= 500 ms).

    .venv/bin/python bench/viewer.py [--count 100000]

Fills a temporary store with `count` root runs (tests/viewer/traces.py: `fill_many`), then times
`GET /api/runs` and `GET /api/overview` through the WSGI app in-process (query + JSON; no
socket) for the first page, a page deep in the list (keyset cursor), each filter, and the
overview over two windows. Per request: the median and the worst
of 21 calls after one warm-up. Also prints the plain `TraceStore.traces()` query the CLI uses,
as the reference.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from runwire.tracers.store import TraceStore
from runwire.viewer.app import ViewerApp
from runwire.viewer.reader import Reader
from viewer.traces import T0, fill_many


def get(app: ViewerApp, url: str) -> bytes:
    path, _, query = url.partition("?")
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query, "wsgi.input": io.BytesIO()}
    status: list[str] = []
    body = b"".join(app(environ, lambda s, _h: status.append(s)))
    assert status[0].startswith("200"), (url, status, body[:200])
    return body


def timed(call: Any, repeats: int = 21) -> tuple[float, float, float]:
    """Median wall ms, worst wall ms, and median CPU ms of this thread (what the request costs
    on a machine busy with other work, where wall time also counts waiting for a core)."""
    call()
    samples, cpu = [], []
    for _ in range(repeats):
        began, began_cpu = time.perf_counter(), time.thread_time()
        call()
        samples.append((time.perf_counter() - began) * 1000)
        cpu.append((time.thread_time() - began_cpu) * 1000)
    return statistics.median(samples), max(samples), statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100_000)
    count = parser.parse_args().count
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "traces.db"
        began = time.perf_counter()
        fill_many(db, count, model_calls=True)
        took = time.perf_counter() - began
        print(f"store: {count:,} root runs (and a model call each) written in {took:.1f} s")
        reader = Reader(db)
        app = ViewerApp(reader)
        import json

        first = json.loads(get(app, "/api/runs?limit=50"))
        deep = f"{T0 + count // 2!r}:{count // 2}"
        cases = {
            "first page (50)": "/api/runs?limit=50",
            "page at the middle (cursor)": f"/api/runs?limit=50&before={deep}",
            "next page (cursor)": f"/api/runs?limit=50&before={first['next']}",
            "name contains 'classify_3'": "/api/runs?name=classify_3",
            "status=error": "/api/runs?status=error",
            "tag=even": "/api/runs?tag=even",
            "tag=rare (1 in 1000)": "/api/runs?tag=rare",
            "since/until window": f"/api/runs?since={T0 + 1000}&until={T0 + 2000}",
            "no match (full scan)": "/api/runs?name=nothing-like-this",
            "overview, 24h window": "/api/overview?window=24h",
            "overview, 30d (all 100k)": "/api/overview?window=30d",
            "one trace": f"/api/runs/{first['runs'][0]['id']}",
        }
        print(f"{'GET':<32} {'median ms':>10} {'worst ms':>10} {'CPU ms':>10}")
        for label, url in cases.items():
            median, worst, cpu = timed(lambda url=url: get(app, url))
            print(f"{label:<32} {median:>10.1f} {worst:>10.1f} {cpu:>10.1f}")
        with TraceStore(db) as store:
            median, worst, cpu = timed(lambda: store.traces(limit=50))
            print(f"{'reference: TraceStore.traces(50)':<32} {median:>10.1f} {worst:>10.1f} {cpu:>10.1f}")
        reader.close()


if __name__ == "__main__":
    main()
