"""The viewer's pages in headless Chromium: conversation view, errors where they happened, the
overview, comparing two runs, keyboard navigation and deep links, and the fixed defects.

The conversation and overview screenshots are the ones README and docs show (docs/img/); a run
with RUNWIRE_DOCS_SCREENSHOTS=1 writes them there (other runs keep them in the test's shots
folder, so a test run leaves the work tree unchanged).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from viewer.conftest import ROOT, SHOTS, Traces
from viewer.traces import PWNED

DOCS_IMG = ROOT / "docs" / "img"


def _docs_shot(name: str) -> Path:
    """Where a screenshot the docs show goes: docs/img/ when asked to refresh them, else SHOTS."""
    return (DOCS_IMG if os.environ.get("RUNWIRE_DOCS_SCREENSHOTS") == "1" else SHOTS) / name


TIMING = re.compile(r"^\d+(\.\d+)? (ms|s)$")


def _open_model_call(page: Any, run_id: str, nth: int) -> None:
    page.goto(f"/#/run/{run_id}")
    page.locator("#expand-all").click()
    page.locator("#tree .node", has_text="GenericFakeChatModel").nth(nth).click()


def test_list_page_has_no_stray_text_and_shows_short_ids(page: Any, traces: Traces) -> None:
    page.goto("/")
    expect(page.locator("#runs tbody tr")).to_have_count(len(traces.ids))
    assert "null" not in page.locator("#view").inner_text()
    ids = page.locator("#runs tbody tr td:nth-child(2)").all_text_contents()
    assert sorted(ids) == sorted(i[-8:] for i in traces.ids.values())


def test_an_unknown_run_id_says_so(browser: Any, server: str) -> None:
    """A hex id that matches nothing, and text that is no id at all, both get a message (the
    API's 404 is expected here, so this page does not fail on console errors)."""
    context = browser.new_context(base_url=server)
    page = context.new_page()
    for wrong in ("ffffffff", "not-an-id!"):
        page.goto(f"/#/run/{wrong}")
        expect(page.locator("#notice")).to_contain_text(wrong)
        expect(page.locator("#notice a")).to_have_text("← Back to the traces")
    page.goto("/#/nowhere")
    expect(page.locator("#notice")).to_contain_text("There is no page at #/nowhere")
    context.close()


def test_a_model_call_reads_as_a_conversation(page: Any, traces: Traces) -> None:
    """The agent's second model call: system and human turns, the first AI turn with its `add`
    call card and the tool's result, then the reply calling `multiply` (whose result the trace
    holds too), with tokens; raw JSON one click away."""
    _open_model_call(page, traces.ids["agent"], 1)
    chat = page.locator("#conversation")
    expect(chat.locator(".turn")).to_have_count(4)
    roles = chat.locator(".turn > .role").all_text_contents()
    assert roles == ["System", "Human", "AI", "AI"]
    add = chat.locator(".tool-card[data-call=call_add]")
    expect(add.locator(".tool-name")).to_have_text("add")
    expect(add.locator(".tool-args")).to_contain_text('"a": 2')
    expect(add.locator(".tool-result")).to_contain_text("5")
    reply = chat.locator(".turn.reply")
    expect(reply.locator(".tool-card[data-call=call_multiply] .tool-result")).to_contain_text("20")
    expect(reply.locator(".reply-facts")).to_contain_text("12 in · 4 out tokens")
    expect(page.locator("#raw-json pre")).to_be_hidden()
    page.locator("#raw-json summary").click()
    expect(page.locator("#raw-json pre")).to_contain_text('"tool_calls"')
    page.locator("#raw-json summary").click()
    page.screenshot(path=SHOTS / "conversation.png", full_page=True)
    page.locator(".layout").screenshot(path=_docs_shot("viewer-conversation.png"))


def test_an_image_in_a_message_is_a_thumbnail(page: Any, traces: Traces) -> None:
    """An image sent as a data URL shows as a small image next to the text of its message."""
    page.goto(f"/#/run/{traces.ids['image_question']}")
    human = page.locator("#conversation .turn-human")
    expect(human).to_contain_text("What is in this picture?")
    thumb = human.locator("img.thumb")
    expect(thumb).to_be_visible()
    assert thumb.evaluate("img => img.naturalWidth") == 8


def test_a_reply_shows_the_finish_reason_its_model_reported(page: Any, traces: Traces) -> None:
    """In `generation_info` (ChatLlamaCpp, OpenAI) or the message's `response_metadata`
    (Anthropic's `stop_reason`); a model that reports none (the fakes) shows no finish."""
    page.goto(f"/#/run/{traces.ids['image_question']}")
    expect(page.locator("#conversation .turn.reply .reply-facts")).to_contain_text("finish: length")
    page.goto(f"/#/run/{traces.ids['xss']}")
    page.locator("#tree .node", has_text="GenericFakeChatModel").click()
    expect(page.locator("#conversation .turn.reply .reply-facts")).to_contain_text("finish: end_turn")
    _open_model_call(page, traces.ids["agent"], 1)
    facts = page.locator("#conversation .turn.reply .reply-facts")
    expect(facts).to_contain_text("12 in · 4 out tokens")
    expect(facts).not_to_contain_text("finish")


def test_a_trace_header_counts_runs_and_only_reported_tokens(page: Any, traces: Traces) -> None:
    """ "1 run", not "1 runs"; and no "0 tokens" for a trace whose models reported no usage
    (the list shows "-" for it too), while a trace with usage shows its sum."""
    page.goto(f"/#/run/{traces.ids['stream']}")
    facts = page.locator("#run-facts")
    expect(facts).to_contain_text(" · 1 run")
    expect(facts).not_to_contain_text("tokens")
    page.goto(f"/#/run/{traces.ids['agent']}")
    expect(facts).to_have_text(re.compile(r" · \d+ runs · 48 tokens$"))


def test_the_time_filters_say_which_end_they_are(page: Any, traces: Traces) -> None:
    """The two date-time boxes carry visible labels (a browser shows both as mm/dd/yyyy)."""
    page.goto("/")
    expect(page.locator("label.when", has=page.locator("#filter-since"))).to_contain_text("started after")
    expect(page.locator("label.when", has=page.locator("#filter-until"))).to_contain_text("before")
    page.get_by_label("started after").fill("2000-01-01T00:00")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#runs tbody tr")).to_have_count(len(traces.ids))
    page.get_by_label("started before").fill("2000-01-02T00:00")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#runs tbody tr")).to_have_count(0)


def test_the_attempts_of_a_retried_step_are_numbered(page: Any, traces: Traces) -> None:
    """A trace that succeeded on its second attempt: its failed first attempt is labelled as such."""
    page.goto(f"/#/run/{traces.ids['flaky_step']}")
    steps = page.locator("#tree .node", has_text="step").filter(has_not_text="flaky_step")
    expect(steps).to_have_count(2)
    expect(steps.nth(0).locator(".attempt")).to_have_text("attempt 1")
    expect(steps.nth(0).locator(".bar")).to_have_class(re.compile(r"\berror\b"))
    expect(steps.nth(1).locator(".attempt")).to_have_text("attempt 2")
    page.goto(f"/#/run/{traces.ids['agent']}")
    page.locator("#expand-all").click()
    expect(page.locator("#tree .node", has_text="GenericFakeChatModel")).to_have_count(4)
    expect(page.locator("#tree .attempt")).to_have_count(0)  # same names, but nothing retried


def test_a_message_in_or_out_of_a_step_reads_as_a_turn(page: Any, traces: Traces) -> None:
    """A chain that ends in a model outputs an AI message, a tool a ToolMessage: each shows as a
    conversation turn (its text as text), not as the message's JSON; plain values stay JSON."""
    page.goto(f"/#/run/{traces.ids['xss']}")
    out = page.locator("#detail [data-payload=outputs] .turn-ai")
    expect(out.locator(".text")).to_have_text(PWNED)
    expect(page.locator("#detail > pre")).to_have_count(1)  # its input, a dict, stays JSON
    expect(page.locator("#detail > pre")).to_contain_text('"text"')
    expect(page.locator("#detail > pre")).not_to_contain_text("additional_kwargs")
    page.goto(f"/#/run/{traces.ids['agent']}")
    page.locator("#tree .node", has_text="add").first.click()
    expect(page.locator("#detail [data-payload=outputs] .turn-tool .text")).to_have_text("5")
    expect(page.locator("#detail > pre")).to_have_text(re.compile(r'"a": 2'))
    page.locator("#raw-json summary").click()
    expect(page.locator("#raw-json pre")).to_contain_text('"tool_call_id": "call_add"')


def test_a_streamed_reply_shows_its_time_to_first_token(page: Any, traces: Traces) -> None:
    page.goto(f"/#/run/{traces.ids['stream']}")
    reply = page.locator("#conversation .turn.reply")
    expect(reply).to_contain_text("streamed tokens arrive one by one")
    expect(reply.locator(".reply-facts")).to_contain_text("first token after")


def test_an_error_is_shown_where_it_happened_with_the_path_from_the_root(page: Any, traces: Traces) -> None:
    """Opening a failed trace selects the step that raised, highlights the path to it, and shows
    the error's type, message and traceback."""
    page.goto(f"/#/run/{traces.ids['failing_chain']}")
    expect(page.locator("#tree .node.selected .name")).to_have_text("split")
    path = page.locator("#tree .node.error-path .name").all_text_contents()
    assert path == ["failing_chain", "split"]
    box = page.locator("#error-box")
    expect(box).to_contain_text("ZeroDivisionError: division by zero")
    traceback = box.locator(".traceback")
    expect(traceback).to_contain_text("in split")
    # Taller than its box, it opens scrolled to its end: the frame that raised, not runwire's own
    assert traceback.evaluate("e => e.scrollHeight > e.clientHeight")
    assert traceback.evaluate("e => e.scrollTop > 0 && e.scrollTop + e.clientHeight >= e.scrollHeight - 2")
    page.screenshot(path=SHOTS / "error.png", full_page=True)


def test_overview_draws_its_charts_from_the_store(page: Any, traces: Traces) -> None:
    page.goto("/")
    page.locator("#nav-overview").click()
    expect(page.locator("#tile-traces .tile-value")).to_have_text(str(len(traces.ids)))
    expect(page.locator("#tile-errors .tile-value")).to_have_text("14.3%")
    expect(page.locator("#tile-p95 .tile-value")).to_have_text(TIMING)
    assert page.locator("#runs-chart rect.chart-bar:not(.error)").count() == 48
    assert page.locator("#runs-chart rect.chart-bar.error").count() == 1
    models = page.locator("#by-model tbody tr td:first-child").all_text_contents()
    assert models[0] == "fake-agent-model"
    for table in ("#by-model", "#by-name"):  # latency percentiles of every model and root name
        headers = page.locator(f"{table} thead th").all_text_contents()
        p50, p95 = headers.index("p50"), headers.index("p95")
        for row in page.locator(f"{table} tbody tr").all():
            cells = row.locator("td").all_text_contents()
            assert TIMING.match(cells[p50]), cells
            assert TIMING.match(cells[p95]), cells
    no_usage = page.locator("#by-name tbody tr", has_text="flaky_step").locator("td")
    expect(no_usage.nth(5)).to_have_text("-")  # tokens: none reported, not 0
    names = page.locator("#by-name tbody tr td:first-child").all_text_contents()
    expected = {"arithmetic_agent", "agent_replay", "failing_chain", "streamed_call", "flaky_step"}
    assert set(names) == expected | {"image_question"} | {n for n in names if "script" in n}
    page.locator(".windows a", has_text="7d").click()
    expect(page.locator(".windows a.active")).to_have_text("7d")
    page.reload()
    expect(page.locator(".windows a.active")).to_have_text("7d")
    page.screenshot(path=SHOTS / "overview.png", full_page=True)
    page.screenshot(path=_docs_shot("viewer-overview.png"), full_page=True)


def test_a_run_and_its_replay_compare_side_by_side(page: Any, traces: Traces) -> None:
    """Pick two traces in the list and compare: same inputs and outputs, every step matched."""
    page.goto("/")
    page.locator("#runs tr", has_text="arithmetic_agent").locator(".pick").check()
    page.locator("#runs tr", has_text="agent_replay").locator(".pick").check()
    page.locator("#compare-picked").click()
    expect(page.locator(".run-head h1")).to_have_text("Compare")
    expect(page.locator("[data-pair=inputs] h3")).to_have_text("Inputs (same)")
    expect(page.locator("[data-pair=outputs] h3")).to_have_text("Outputs (same)")
    rows = page.locator("#compare-tree tbody tr")
    assert rows.count() == 25
    assert page.locator("#compare-tree tr.only-a, #compare-tree tr.only-b").count() == 0
    page.goto(f"/#/compare/{traces.ids['agent']}/{traces.ids['failing_chain'][-8:]}")
    expect(page.locator("[data-pair=outputs] h3")).to_have_text("Outputs (differ)")
    assert page.locator("#compare-tree tr.only-a").count() > 0
    page.screenshot(path=SHOTS / "compare.png", full_page=True)


def test_the_tree_is_driven_by_the_keyboard_and_links_survive_a_reload(page: Any, traces: Traces) -> None:
    """Arrows move and open, `/` finds a step, the selection is in the URL; list filters too."""
    page.goto(f"/#/run/{traces.ids['agent']}")
    page.locator("#tree").focus()
    selected = page.locator("#tree .node.selected .name")
    rows = page.locator("#tree .node")
    closed = rows.count()
    page.keyboard.press("ArrowRight")  # the root is open: into its first child
    expect(selected).to_have_text("RunnableSequence")
    page.keyboard.press("ArrowRight")  # opens it: its 4 steps show
    expect(rows).to_have_count(closed + 4)
    page.keyboard.press("ArrowLeft")  # closes it
    expect(rows).to_have_count(closed)
    page.keyboard.press("ArrowDown")
    expect(selected).to_have_text("add")
    page.keyboard.press("ArrowLeft")  # a leaf: up to its parent
    expect(selected).to_have_text("arithmetic_agent")
    page.keyboard.press("/")
    expect(page.locator("#tree-search")).to_be_focused()
    page.keyboard.type("multiply")
    page.keyboard.press("Enter")
    expect(page.locator("#detail h2")).to_have_text("multiply")
    assert re.search(r"#/run/[0-9a-f-]{36}/[0-9a-f-]{36}$", page.url)
    page.reload()
    expect(page.locator("#detail h2")).to_have_text("multiply")
    expect(page.locator("#tree .node.selected .name")).to_have_text("multiply")
    page.goto("/")
    expect(page.locator("#runs tbody tr")).to_have_count(len(traces.ids))
    page.keyboard.press("/")
    expect(page.locator("#filter-name")).to_be_focused()
    page.keyboard.type("agent")
    page.keyboard.press("Enter")
    expect(page.locator("#runs tbody tr")).to_have_count(2)
    page.reload()
    expect(page.locator("#runs tbody tr")).to_have_count(2)
    expect(page.locator("#filter-name")).to_have_value("agent")
