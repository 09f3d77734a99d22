"""A recognisable fake key goes through every provider path reachable offline (replies, streams,
errors, retries, timeouts) and must appear nowhere: no event payload, no trace row or DB byte, no
log record, no repr, no exception message or traceback, no `runwire traces export`."""

from __future__ import annotations

import io
import logging
import traceback
from collections.abc import Iterator
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import pytest

from chat_models.anthropic_script import error, message, text, text_stream
from chat_models.scripted_server import Reply, ScriptedServer
from runwire.cli import main
from runwire.tracers.sqlite import SQLiteTracer

from .conftest import Recorder

pytest.importorskip("anthropic")
pytest.importorskip("openai")

from runwire.chat_models.anthropic import ChatAnthropic
from runwire.chat_models.openai import ChatOpenAI

ANT_KEY = "sk-ant-FAKEKEY-0123456789abcdef"
OAI_KEY = "sk-FAKEKEY-0123456789abcdef"
MARK = "FAKEKEY"  # shared by both keys; never in anything the models or servers say


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    scripted = ScriptedServer()
    yield scripted
    scripted.close()


def _completion(content: str) -> dict[str, Any]:
    choice = {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
    return {"id": "x", "object": "chat.completion", "created": 1, "model": "m", "choices": [choice]}


def _scan(*texts: str) -> None:
    for shown in texts:
        assert MARK not in shown


def test_the_key_appears_nowhere(
    server: ScriptedServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    db = tmp_path / "traces.db"
    tracer = SQLiteTracer(db)
    recorder = Recorder()
    config: dict[str, Any] = {"callbacks": [recorder, tracer]}
    anthropic = ChatAnthropic(model="m", api_key=ANT_KEY, base_url=server.url, max_retries=1, timeout=1)
    openai = ChatOpenAI(model="m", api_key=OAI_KEY, base_url=server.url + "/v1", max_retries=1, timeout=1)
    server.script(
        Reply(json=message([text("ok")])),
        Reply(sse=text_stream("a", "b")),
        Reply(status=401, json=error("authentication_error", "invalid x-api-key")),
        Reply(status=401, json=error("authentication_error", "invalid x-api-key")),
        Reply(status=429, headers={"retry-after": "0"}, json=error("rate_limit_error", "slow")),
        Reply(json=message([text("after retry")])),
        Reply(status=500, raw=b"<html>oops</html>"),
        Reply(status=500, raw=b"<html>oops</html>"),
        Reply(sse=text_stream("a", "b"), drop_after=2),
        Reply(json=message([text("slow")]), delay=1.5),
        Reply(json=message([text("slow")]), delay=1.5),
        Reply(json=_completion("ok")),
        Reply(status=401, json={"error": {"message": "bad key", "type": "invalid_request_error"}}),
        Reply(status=503, json={"error": {"message": "down"}}),
        Reply(status=503, json={"error": {"message": "down"}}),
        Reply(raw=b"{broken"),
    )
    shown: list[str] = []
    calls = [
        lambda: anthropic.invoke("hi", config),
        lambda: list(anthropic.stream("hi", config)),
        lambda: anthropic.invoke("hi", config),
        lambda: anthropic.invoke("hi", config),
        lambda: anthropic.invoke("hi", config),
        lambda: list(anthropic.stream("hi", config)),
        lambda: anthropic.invoke("hi", config),
        lambda: openai.invoke("hi", config),
        lambda: openai.invoke("hi", config),
        lambda: openai.invoke("hi", config),
        lambda: openai.invoke("hi", config),
    ]
    failures = 0
    for call in calls:
        try:
            shown.append(repr(call()))
        except Exception as exc:
            failures += 1
            shown += [str(exc), repr(exc), "".join(traceback.format_exception(exc)), repr(vars(exc))]
    assert failures >= 6, shown
    tracer.close()
    shown += [repr(anthropic), str(anthropic), repr(openai), repr(anthropic.api_key), f"{openai.api_key}"]
    shown += [recorder.text(), "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records)]
    _scan(*shown)
    for file in tmp_path.iterdir():
        assert MARK.encode() not in file.read_bytes(), file.name
    out = io.StringIO()
    with redirect_stdout(out):
        for action in (["list", "--json"], ["export", "latest", "--format", "jsonl"]):
            assert main(["traces", *action, "--db", str(db)]) == 0
    _scan(out.getvalue())
    assert sum(1 for event, _, _ in recorder.events if event == "on_llm_error") >= 6
    sent = [str(seen.headers) for seen in server.requests]
    assert any(ANT_KEY in h for h in sent), "the Anthropic key was never sent"
    assert any(OAI_KEY in h for h in sent), "the OpenAI key was never sent"
