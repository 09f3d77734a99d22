"""The viewer's JSON API and HTTP surface, called in-process through the WSGI app."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from runwire.viewer.app import ViewerApp
from runwire.viewer.reader import Reader
from viewer.conftest import ROOT, Client, Traces, client_for
from viewer.traces import MODELS, NAMES, PWNED, STATUSES, T0, latency


def test_list_shows_roots_newest_first_with_trace_tokens(client: Client) -> None:
    """The list holds root runs only, newest first, with the tokens of their whole trace."""
    runs = client.json("/api/runs")["runs"]
    assert [r["name"] for r in runs] == [
        "flaky_step", "streamed_call", PWNED, "image_question", "failing_chain", "agent_replay",
        "arithmetic_agent",
    ]  # fmt: skip
    assert runs[-1]["trace_tokens"] == 48  # three agent model calls of 16 tokens


def test_run_detail_has_every_run_of_the_trace_with_events(client: Client, traces: Traces) -> None:
    """One run: the flat records of its tree, with tool, model and event data."""
    data = client.json(f"/api/runs/{traces.ids['agent']}")
    names = [r["name"] for r in data["runs"]]
    assert names[0] == "arithmetic_agent"
    assert {"add", "multiply", "GenericFakeChatModel", "ToolsAgentOutputParser"} <= set(names)
    streamed = client.json(f"/api/runs/{traces.ids['stream']}")["runs"][0]
    assert [e["name"] for e in streamed["events"]][:2] == ["new_token", "new_token"]


def test_run_accepts_an_id_prefix_and_latest(client: Client, traces: Traces) -> None:
    assert client.json(f"/api/runs/{traces.ids['agent'][:18]}")["id"] == traces.ids["agent"]
    assert client.json("/api/runs/latest")["id"] == traces.ids["flaky_step"]


def test_export_is_the_tree_as_one_json_document(client: Client, traces: Traces) -> None:
    """The copy-as-JSON endpoint: `runwire traces export` output, children nested."""
    response = client.request(f"/api/runs/{traces.ids['xss']}/export")
    tree = json.loads(response.body)
    assert tree["name"] == PWNED
    assert [c["name"] for c in tree["child_runs"]] == ["ChatPromptTemplate", "GenericFakeChatModel"]


def test_unknown_run_is_404_and_bad_input_400(client: Client) -> None:
    assert client.request("/api/runs/ffffffff").status.startswith("404")
    assert client.request("/api/runs/<script>").status.startswith("404")
    assert client.request("/api/runs?since=yesterday").status.startswith("400")
    assert client.request("/api/runs?before=nonsense").status.startswith("400")


def test_a_bad_limit_says_what_a_limit_is(client: Client) -> None:
    """`limit=abc` is answered with a message about the limit, not about timestamps."""
    response = client.request("/api/runs?limit=abc")
    assert response.status.startswith("400")
    message = json.loads(response.body)["error"]
    assert message.startswith("limit='abc' is not a whole number")
    assert "epoch" not in message


def test_responses_carry_a_strict_content_security_policy(client: Client) -> None:
    """No inline script, nothing from another origin, no framing, no MIME sniffing."""
    for url in ("/", "/static/app.js", "/api/runs"):
        headers = client.request(url).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp
        assert "default-src 'none'" in csp
        assert "unsafe-inline" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "path",
    ["/static/../app.py", "/static/..%2fapp.py", "/static/%2e%2e/reader.py", "/static/", "/etc/passwd"],
)
def test_static_files_come_only_from_the_package_table(client: Client, path: str) -> None:
    """No request path reaches the file system: unknown names are 404."""
    assert client.request(path).status.startswith("404")


@pytest.mark.parametrize(
    "name", ["core.js", "list.js", "conversation.js", "run.js", "overview.js", "compare.js", "app.js"]
)
def test_static_front_end_is_served_with_its_type(client: Client, name: str) -> None:
    response = client.request(f"/static/{name}")
    assert response.headers["Content-Type"].startswith("text/javascript")
    for sink in (b"innerHTML", b"outerHTML", b"insertAdjacentHTML", b"document.write", b"eval("):
        assert sink not in response.body  # payloads reach the page through textContent only
    assert f'src="/static/{name}"'.encode() in client.request("/").body


def test_read_only_and_loopback_host_only(client: Client) -> None:
    """Writes are refused, and so is a Host other than the served address (DNS rebinding)."""
    assert client.request("/api/runs", method="POST").status.startswith("405")
    assert client.request("/api/runs", host="attacker.example:8765").status.startswith("421")


# -- 100k runs ------------------------------------------------------------------------------


def test_filters_by_name_status_tag_and_time(big: Client) -> None:
    """Each filter narrows the list; they combine."""
    by_name = big.json("/api/runs?name=classify_3&limit=200")["runs"]
    assert by_name
    assert all("classify_3" in r["name"] for r in by_name)
    assert {r["status"] for r in big.json("/api/runs?status=error&limit=200")["runs"]} == {"error"}
    rare = big.json("/api/runs?tag=rare&limit=200")["runs"]
    assert len(rare) == 100
    assert all("rare" in r["tags"] for r in rare)
    window = big.json(f"/api/runs?since={T0 + 1000}&until={T0 + 1010}&limit=200")["runs"]
    assert [r["start_time"] - T0 for r in window] == [float(n) for n in range(1009, 999, -1)]
    both = big.json("/api/runs?tag=rare&status=ok&limit=200")["runs"]
    assert both
    assert all(r["status"] == "ok" and "rare" in r["tags"] for r in both)


def test_name_search_is_a_literal_substring(big: Client) -> None:
    """`%` and `_` in a search are characters, not LIKE wildcards."""
    assert big.json("/api/runs?name=%25")["runs"] == []
    assert big.json("/api/runs?name=classify%5F")["runs"]


def test_keyset_paging_walks_all_runs_once_in_order(big: Client) -> None:
    """Following `next` visits every one of the 100k roots exactly once, newest first."""
    seen: list[float] = []
    cursor, pages = "", 0
    while pages < 1000:  # bounded: 100k / 200 = 500 pages
        page = big.json(f"/api/runs?limit=200{'&before=' + cursor if cursor else ''}")
        seen += [r["start_time"] for r in page["runs"]]
        pages += 1
        if page["next"] is None:
            break
        cursor = page["next"]
    assert pages == 500
    assert len(seen) == 100_000
    assert seen == sorted(seen, reverse=True)
    assert len(set(seen)) == 100_000


def test_filtered_paging_ends_with_no_cursor(big: Client) -> None:
    first = big.json("/api/runs?tag=rare&limit=60")
    second = big.json(f"/api/runs?tag=rare&limit=60&before={first['next']}")
    assert len(first["runs"]) == 60
    assert len(second["runs"]) == 40
    assert second["next"] is None
    assert not {r["id"] for r in first["runs"]} & {r["id"] for r in second["runs"]}


def test_ui_without_a_store_exits_3(tmp_path: Path) -> None:
    """`runwire ui --db missing.db` says what to do and exits 3, like `runwire traces`."""
    done = subprocess.run(
        [sys.executable, "-m", "runwire", "--db", str(tmp_path / "missing.db"), "ui", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )
    assert done.returncode == 3
    assert "no trace store at" in done.stderr


def test_overview_sums_traces_errors_latency_and_tokens(client: Client) -> None:
    """The overview of the test store: its four traces, the agent's tokens under its model and
    its root name, latency percentiles, and traces per time bucket adding up."""
    data = client.json("/api/overview?window=1h")
    assert (data["traces"], data["errors"], data["error_rate"]) == (7, 1, 1 / 7)
    assert sum(b["runs"] for b in data["buckets"]) == 7
    assert 0 < data["p50"] <= data["p95"]
    models = {m["model"]: m for m in data["models"]}
    assert models["fake-agent-model"]["calls"] == 6  # the agent's three calls, and their replay
    assert models["fake-agent-model"]["total_tokens"] == 96
    assert 0 < models["fake-agent-model"]["p50"] <= models["fake-agent-model"]["p95"]
    names = {n["name"]: n for n in data["names"]}
    assert names["arithmetic_agent"]["total_tokens"] == 48
    assert names["flaky_step"]["total_tokens"] is None  # no model call: no tokens, rather than 0
    assert models["streamed_call"]["total_tokens"] is None  # a model that reports no usage
    assert 0 < names["arithmetic_agent"]["p50"] == names["arithmetic_agent"]["p95"]  # one trace
    assert client.request("/api/overview?window=forever").status.startswith("400")


def _nearest_rank(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return tuple(ordered[max(1, math.ceil(len(ordered) * f)) - 1] for f in (0.5, 0.95))  # type: ignore[return-value]


def test_overview_counts_the_model_calls_of_the_newest_trace(tmp_path: Path) -> None:
    """The window ends at the newest run: a model call that starts a moment after its trace
    (the newest) still counts, so the overview's tokens match the list's."""
    import time

    from runwire.language_models import GenericFakeChatModel
    from runwire.messages import AIMessage
    from runwire.runnables import RunnableLambda
    from runwire.tracers.sqlite import SQLiteTracer

    usage = {"input_tokens": 5, "output_tokens": 2, "total_tokens": 7}
    model = GenericFakeChatModel(messages=iter([AIMessage("hi", usage_metadata=usage)]))
    slow = RunnableLambda(lambda text: time.sleep(0.02) or text)  # the call starts 20 ms in
    db = tmp_path / "t.db"
    tracer = SQLiteTracer(db)
    (slow | model).invoke("hello", {"callbacks": [tracer], "run_name": "newest"})
    tracer.close()
    for client in client_for(db):
        data = client.json("/api/overview?window=1h")
        assert client.json("/api/runs")["runs"][0]["trace_tokens"] == 7
    (name,) = data["names"]
    assert (name["name"], name["total_tokens"]) == ("newest", 7)
    (row,) = data["models"]
    assert (row["calls"], row["total_tokens"]) == (1, 7)


def test_overview_at_100k_traces_uses_sql_aggregates(big: Client) -> None:
    """Over the 100k store: every trace counted once, one in five an error, and the latency
    percentiles of all traces, of each root name and of each model as a sort would give them."""
    data = big.json("/api/overview?window=30d")
    assert data["traces"] == 100_000
    assert data["errors"] == 20_000
    finished = [n for n in range(100_000) if STATUSES[n % 5] != "running"]
    assert (data["p50"], data["p95"]) == pytest.approx(_nearest_rank([latency(n) for n in finished]))
    by_name: dict[str, list[float]] = {}
    for n in finished:
        by_name.setdefault(f"{NAMES[n % 5]}_{n % 7}", []).append(latency(n))
    names = {row["name"]: row for row in data["names"]}
    assert len(names) == 20
    for name, row in names.items():
        if name.startswith("translate"):  # every one still running: no latency
            assert (row["p50"], row["p95"]) == (None, None)
        else:
            assert (row["p50"], row["p95"]) == pytest.approx(_nearest_rank(by_name[name]))
    models = {row["model"]: row for row in data["models"]}
    assert set(models) == set(MODELS)
    for index, model in enumerate(MODELS):
        calls = [latency(n) for n in finished if n % 3 == index]
        assert (models[model]["p50"], models[model]["p95"]) == pytest.approx(_nearest_rank(calls))


def test_overview_of_a_store_from_before_its_indexes(traces: Traces, tmp_path: Path) -> None:
    """A store not written since its indexes were added (an older runwire's) still has an
    overview: the same figures, without the index hints."""
    import shutil
    import sqlite3
    from contextlib import closing

    old = tmp_path / "old.db"
    shutil.copy(traces.db, old)
    with closing(sqlite3.connect(old)) as conn:
        for index in ("roots_overview", "llm_by_start", "roots_by_latency", "roots_by_name_latency"):
            conn.execute(f"DROP INDEX {index}")
        conn.execute("DROP INDEX llm_by_model_latency")
        conn.commit()
    readers = [Reader(old), Reader(traces.db)]
    try:
        before, now = (Client(ViewerApp(r, hosts={"127.0.0.1:8765"})) for r in readers)
        assert before.json("/api/overview?window=1h") == now.json("/api/overview?window=1h")
    finally:
        for reader in readers:
            reader.close()
