"""Content policies: full, redacted or no payloads per handler; secrets never stored."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from runwire.callbacks import BaseCallbackHandler
from runwire.messages import HumanMessage
from runwire.runnables import RunnableLambda
from runwire.tracers import FULL, NONE, RunCollectorCallbackHandler, redacted
from runwire.tracers.content import MARKER, ContentPolicy, parse_policy, scrub_secrets
from runwire.tracers.sqlite import SQLiteTracer

FAKE_KEY = "sk-ant-api03-FAKEfake0123456789abcdefXYZ"
PII = "jane.doe@example.com"


@pytest.mark.parametrize(
    "text",
    [
        f"use {FAKE_KEY} please",
        "key=sk-proj-AbCdEf0123456789GhIjKl",
        "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload123.signature456",
        "aws AKIAIOSFODNN7EXAMPLE",
        "token ghp_0123456789abcdefghijABCDEFGHIJ012345",
    ],
)
def test_key_shaped_strings_are_scrubbed(text: str) -> None:
    """Strings shaped like API keys and bearer tokens are masked wherever they appear."""
    scrubbed = scrub_secrets(text)
    assert MARKER in scrubbed
    assert not any(part in scrubbed for part in ("FAKEfake", "AbCdEf", "eyJhbG", "AKIAIOSF", "ghp_0123"))


@pytest.mark.parametrize(
    "text", ["task-management-system overview", "the bearer instrument", "basic understanding", "sk-8"]
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    """Words that merely look like key prefixes are not masked."""
    assert scrub_secrets(text) == text


@pytest.mark.parametrize("policy", [FULL, redacted()], ids=["full", "redacted"])
def test_secret_named_fields_are_masked_under_every_policy(policy: ContentPolicy) -> None:
    """`api_key`, `authorization`, `x-api-key` (any case, nested) hold the marker, whatever they held."""
    payload = {
        "api_key": "plain",
        "headers": {"Authorization": "xyz", "X-Api-Key": 123},
        "openai_api_key": "k",
    }
    assert policy.view(payload, "inputs") == {
        "api_key": MARKER,
        "headers": {"Authorization": MARKER, "X-Api-Key": MARKER},
        "openai_api_key": MARKER,
    }


def test_redacted_masks_paths_and_patterns() -> None:
    """Field paths (`*` one level, `**` any depth) and regex matches are replaced by the marker."""
    policy = redacted(paths=["inputs.user.ssn", "inputs.items.*.price", "**.phone"], patterns=[r"\bJane\b"])
    payload = {
        "user": {"ssn": "123-45-6789", "name": "Jane Doe"},
        "items": [{"price": 3, "sku": "a"}],
        "deep": {"deeper": {"phone": "555"}},
    }
    assert policy.view(payload, "inputs") == {
        "user": {"ssn": MARKER, "name": f"{MARKER} Doe"},
        "items": [{"price": MARKER, "sku": "a"}],
        "deep": {"deeper": {"phone": MARKER}},
    }


def test_redacted_default_patterns_mask_emails_and_phone_numbers() -> None:
    """With no patterns given, `redacted()` masks e-mail addresses, card and phone numbers."""
    text = f"mail {PII} or call +1 (555) 010-9999, card 4111 1111 1111 1111"
    assert redacted().view(text) == f"mail {MARKER} or call {MARKER}, card {MARKER}"


def test_none_keeps_no_payload() -> None:
    """NONE's view of anything is None, and it never converts the payload."""

    class Exploding:
        def model_dump(self) -> Any:
            raise AssertionError("NONE must not serialise payloads")

    assert NONE.view({"a": Exploding()}, "inputs") is None
    assert NONE.dumps(Exploding()) is None


def test_objects_become_json_with_a_repr_fallback() -> None:
    """Messages go through `model_dump()`; objects JSON cannot encode become their repr."""

    class Opaque:
        def __repr__(self) -> str:
            return "<Opaque>"

    view = FULL.view({"m": HumanMessage(content="hi"), "o": Opaque(), "s": {1}, "b": b"xx"})
    assert view["m"]["content"] == "hi"
    assert view["m"]["type"] == "human"
    assert view["o"] == "<Opaque>"
    assert view["s"] == [1]
    assert view["b"] == "<2 bytes>"


def test_each_policy_view_is_computed_once_per_payload() -> None:
    """Equal policies share one view of a payload object: it is serialised once, not per handler."""
    calls = []

    class Counted:
        def model_dump(self) -> Any:
            calls.append(1)
            return {"x": 1}

    payload = [Counted()]
    first, second = redacted(patterns=["x"]), redacted(patterns=["x"])
    assert first.view(payload) == second.view(payload) == [{"x": 1}]
    assert FULL.view(payload) == [{"x": 1}]
    assert len(calls) == 2, "one conversion for the redacted policy (both handlers), one for FULL"


def test_parse_policy_reads_the_three_names() -> None:
    """`RUNWIRE_TRACE_CONTENT` values map to the three policies; others are an error."""
    assert parse_policy("full") is FULL
    assert parse_policy(" NONE ") is NONE
    assert parse_policy("redacted").mode == "redacted"
    with pytest.raises(ValueError, match="'full', 'redacted' or 'none'"):
        parse_policy("some")


def _store_text(db: Path) -> str:
    """Every value stored in the trace store (runs and events), as one string."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT * FROM runs").fetchall() + conn.execute("SELECT * FROM events").fetchall()
    return json.dumps(rows)


def test_one_run_reaches_each_handler_through_its_own_policy(tmp_path: Path) -> None:
    """A payload with a fake API key and an e-mail address: a full-content handler sees both;
    the full store keeps the address, the redacted store masks it, the none store keeps neither
    (nor any payload); the key reaches no store."""
    seen: list[Any] = []

    class FullContent(BaseCallbackHandler):
        def on_chain_start(self, serialized: Any, inputs: Any, **kwargs: Any) -> None:
            seen.append(inputs)

    stores = {name: tmp_path / f"{name}.db" for name in ("full", "redacted", "none")}
    tracers = [
        SQLiteTracer(stores["full"], content=FULL),
        SQLiteTracer(stores["redacted"], content=redacted()),
        SQLiteTracer(stores["none"], content=NONE),
    ]
    payload = {
        "question": f"mail {PII} the report",
        "config": {"api_key": FAKE_KEY},
        "note": f"key {FAKE_KEY}",
    }
    chain = RunnableLambda(lambda _: f"sent to {PII}")
    chain.invoke(payload, {"callbacks": [FullContent(), *tracers]})
    for tracer in tracers:
        tracer.close()

    assert seen[0]["config"]["api_key"] == FAKE_KEY
    assert PII in seen[0]["question"]
    full, masked, none = (_store_text(stores[name]) for name in ("full", "redacted", "none"))
    assert PII in full
    assert PII not in masked
    assert MARKER in masked
    assert PII not in none
    assert "the report" not in none
    for text in (full, masked, none):
        assert FAKE_KEY not in text
        assert "FAKEfake" not in text
    with sqlite3.connect(stores["none"]) as conn:
        assert conn.execute("SELECT inputs, outputs FROM runs").fetchall() == [(None, None)]


def test_a_redacting_collector_keeps_views_instead_of_objects() -> None:
    """A BaseTracer with a redacted policy stores the masked JSON view in its runs."""
    collector = RunCollectorCallbackHandler(content=redacted())
    RunnableLambda(lambda _: PII).invoke({"to": PII}, {"callbacks": [collector]})
    (run,) = collector.traced_runs
    assert run.inputs == {"to": MARKER}
    assert run.outputs == {"output": MARKER}
