"""End to end: `runwire ui` in a subprocess, Debian's Chromium headless under Playwright.

Each test opens the viewer as a user would and checks what the page shows; screenshots go to
test-output/viewer/. Console errors (CSP violations among them) fail the test (`page` fixture).
"""

from __future__ import annotations

import re
import threading
from typing import Any

from playwright.sync_api import expect

from runwire.runnables import RunnableLambda
from runwire.tracers.sqlite import SQLiteTracer
from viewer.conftest import SHOTS, Traces
from viewer.traces import AGENT_NODES, PWNED

TIMING = re.compile(r"^\d+(\.\d+)? (ms|s)$")


def test_agent_run_shows_its_tree_with_timings(page: Any, traces: Traces) -> None:
    """From the list, open the agent run, expand the tree: every step is there, timed, with a bar."""
    page.goto("/")
    rows = page.locator("#runs tbody tr")
    expect(rows).to_have_count(len(traces.ids))
    page.screenshot(path=SHOTS / "list.png")
    page.get_by_role("link", name="arithmetic_agent").click()
    expect(page.locator(".run-head h1")).to_have_text("arithmetic_agent")
    page.locator("#expand-all").click()
    names = page.locator("#tree .node .name").all_text_contents()
    for name in AGENT_NODES:
        assert name in names
    assert names[0] == "arithmetic_agent"
    assert len(names) == 25
    durations = page.locator("#tree .node .dur").all_text_contents()
    assert all(TIMING.match(d) for d in durations), durations
    widths = page.locator("#tree .bar").evaluate_all("bars => bars.map(b => b.style.width)")
    assert all(w.endswith("%") for w in widths)
    page.locator("#tree .node", has_text="multiply").first.click()
    detail = page.locator("#detail")
    expect(detail.locator("h2")).to_have_text("multiply")
    expect(detail.locator("[data-fact=latency]")).to_have_text(TIMING)
    page.screenshot(path=SHOTS / "run.png", full_page=True)


def test_model_call_shows_tokens_and_model(page: Any, traces: Traces) -> None:
    page.goto(f"/#/run/{traces.ids['agent']}")
    page.locator("#expand-all").click()
    page.locator("#tree .node", has_text="GenericFakeChatModel").first.click()
    detail = page.locator("#detail")
    expect(detail.locator("[data-fact=tokens]")).to_have_text("12 in, 4 out, 16 total")
    expect(detail.locator("[data-fact=model]")).to_have_text("fake-agent-model")
    expect(detail).to_contain_text("What is (2 + 3) * 4?")


def test_script_in_a_prompt_is_shown_as_text_and_never_runs(page: Any, traces: Traces) -> None:
    """A `<script>` in a run name, prompt and reply renders as text; `window.__pwned` stays unset."""
    page.goto("/")
    expect(page.get_by_role("link", name=PWNED)).to_be_visible()
    page.get_by_role("link", name=PWNED).click()
    expect(page.locator(".run-head h1")).to_have_text(PWNED)
    page.locator("#expand-all").click()
    page.locator("#tree .node", has_text="GenericFakeChatModel").click()
    expect(page.locator("#detail")).to_contain_text(f"Repeat: {PWNED}")
    assert page.locator("#view script").count() == 0
    assert page.evaluate("typeof window.__pwned") == "undefined"
    page.screenshot(path=SHOTS / "script-payload.png", full_page=True)


def test_streamed_call_shows_time_to_first_token(page: Any, traces: Traces) -> None:
    page.goto(f"/#/run/{traces.ids['stream']}")
    detail = page.locator("#detail")
    expect(detail.locator("[data-fact='time to first token']")).to_have_text(TIMING)
    expect(detail.locator("[data-fact='streamed tokens']")).to_have_text("11")


def test_retries_and_custom_events_are_listed(page: Any, traces: Traces) -> None:
    page.goto(f"/#/run/{traces.ids['flaky_step']}")
    expect(page.locator("#detail")).to_contain_text("ConnectionError('transient')")
    page.locator("#expand-all").click()
    statuses = page.locator("#tree .bar").evaluate_all("bars => bars.map(b => b.className)")
    assert statuses == ["bar ok", "bar error", "bar ok"]
    page.locator("#tree .node").nth(2).click()
    expect(page.locator("#detail")).to_contain_text('"name": "progress"')


def test_copy_as_json_puts_the_trace_on_the_clipboard(page: Any, traces: Traces) -> None:
    page.goto(f"/#/run/{traces.ids['agent']}")
    page.locator("#copy-json").click()
    expect(page.locator("#copy-json")).to_have_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText().then(JSON.parse)")
    assert copied["id"] == traces.ids["agent"]
    assert copied["child_runs"]


def test_runs_appear_and_finish_live(page: Any, traces: Traces) -> None:
    """A run written while the page is open shows up running, then finishes, without a reload."""
    page.goto("/")
    expect(page.locator("#runs tbody tr")).to_have_count(len(traces.ids))
    release = threading.Event()
    tracer = SQLiteTracer(traces.db, flush_interval=0.05)

    def slow(text: str) -> str:
        release.wait(20)
        return text

    worker = threading.Thread(
        target=lambda: RunnableLambda(slow).invoke("x", {"callbacks": [tracer], "run_name": "live_run"})
    )
    worker.start()
    try:
        row = page.locator("#runs tbody tr", has_text="live_run")
        expect(row).to_contain_text("running", timeout=10_000)
        row.get_by_role("link").click()
        expect(page.locator(".run-head .status-running")).to_be_visible()
    finally:
        release.set()
        worker.join(20)
        tracer.close()
    expect(page.locator(".run-head .status-ok")).to_be_visible(timeout=10_000)
