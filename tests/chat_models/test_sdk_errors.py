"""Provider errors are also the SDK's own exceptions, and name the host that failed.

Differential: the same scripted failure is met once through the bare SDK (what a program written
for langchain-openai / langchain-anthropic catches) and once through runwire's chat model, for
invoke, ainvoke, stream and astream. runwire's error must be an instance of both its own typed
class and the SDK exception's class.
"""

from __future__ import annotations

import asyncio
import pickle
from typing import Any

import pytest

from runwire.chat_models.errors import ChatModelError, RateLimitError, ServerError

from .anthropic_script import MODEL, error, text_stream
from .scripted_server import Reply, ScriptedServer
from .test_openai_scripted import chunk

openai = pytest.importorskip("openai")
anthropic = pytest.importorskip("anthropic")

STATUSES = [400, 401, 403, 404, 429, 500]
MODES = ["invoke", "ainvoke", "stream", "astream"]


def _status(status: int) -> Reply:
    return Reply(status=status, json={"error": {"type": "some_error", "message": f"failed with {status}"}})


OPENAI_CUT = Reply(
    sse=[chunk({"role": "assistant", "content": ""}), chunk({"content": "Hel"})] * 2, drop_after=2
)
FAILURES: dict[str, Any] = {
    **{f"http {status}": _status(status) for status in STATUSES},
    "dropped connection": Reply(drop=True),
    "timeout": Reply(json={}, delay=0.4),
}
INVOKE_FAILURES = {"malformed body": Reply(raw=b"{not json")}
STREAM_FAILURES = {
    "openai": {"stream cut midway": OPENAI_CUT},
    "anthropic": {
        "stream cut midway": Reply(sse=text_stream("1 + 2", " = 3"), drop_after=4),
        "error event in the stream": Reply(
            sse=[*text_stream("1")[:4], ("error", error("overloaded_error", "busy"))]
        ),
    },
}


_SDK_SEEN: dict[tuple[str, bool], list[BaseException]] = {}


def _sdk_failures(
    provider: str, server: ScriptedServer, stream: bool, replies: list[Reply]
) -> list[BaseException]:
    """What the bare SDK raises for each of `replies` (once per provider and call style)."""
    if (provider, stream) not in _SDK_SEEN:
        _SDK_SEEN[provider, stream] = _sdk_calls(provider, server, stream, replies)
    return _SDK_SEEN[provider, stream]


def _sdk_calls(
    provider: str, server: ScriptedServer, stream: bool, replies: list[Reply]
) -> list[BaseException]:
    options: dict[str, Any] = {"api_key": "sk-test", "max_retries": 0, "timeout": 0.1}
    messages = [{"role": "user", "content": "x"}]
    client: Any = (
        openai.OpenAI(base_url=f"{server.url}/v1", **options)
        if provider == "openai"
        else anthropic.Anthropic(base_url=server.url, **options)
    )
    failures = []
    with client:
        for reply in replies:
            server.script(reply)
            try:
                if provider == "openai":
                    result = client.chat.completions.create(
                        model="gpt-4o-mini", messages=messages, stream=stream
                    )
                else:
                    result = client.messages.create(
                        model=MODEL, max_tokens=64, messages=messages, stream=stream
                    )
                if stream:
                    list(result)
            except Exception as exc:
                failures.append(exc)
            else:
                raise AssertionError(f"the SDK did not fail on {reply}")
    return failures


def _runwire_failures(
    provider: str, server: ScriptedServer, mode: str, replies: list[Reply]
) -> list[BaseException]:
    """What runwire's chat model raises for each of `replies`, called by `mode`."""
    from runwire.chat_models import ChatAnthropic, ChatOpenAI

    model: Any
    if provider == "openai":
        model = ChatOpenAI(api_key="sk-test", base_url=f"{server.url}/v1", max_retries=0, timeout=0.1)
    else:
        model = ChatAnthropic(model=MODEL, api_key="sk-test", base_url=server.url, max_retries=0, timeout=0.1)
    failures: list[BaseException] = []

    async def run_async() -> None:
        for reply in replies:
            server.script(reply)
            try:
                if mode == "ainvoke":
                    await model.ainvoke("x")
                else:
                    [c async for c in model.astream("x")]
            except Exception as exc:
                failures.append(exc)
        await model.aclose()

    if mode.startswith("a"):
        asyncio.run(run_async())
    else:
        for reply in replies:
            server.script(reply)
            try:
                model.invoke("x") if mode == "invoke" else list(model.stream("x"))
            except Exception as exc:
                failures.append(exc)
    model.close()
    assert len(failures) == len(replies), "runwire did not fail on every reply"
    return failures


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("provider", ["openai", "anthropic"])
def test_errors_are_also_the_sdks_exceptions(server: ScriptedServer, provider: str, mode: str) -> None:
    """`except openai.RateLimitError:` (or any SDK class) catches runwire's typed error too:
    every HTTP status class, dropped connections, timeouts and broken streams."""
    failures = {**FAILURES, **(STREAM_FAILURES[provider] if "stream" in mode else INVOKE_FAILURES)}
    replies = list(failures.values())
    expected = _sdk_failures(provider, server, "stream" in mode, replies)
    got = _runwire_failures(provider, server, mode, replies)
    for name, sdk_error, ours in zip(failures, expected, got, strict=True):
        assert isinstance(ours, ChatModelError), (name, ours)
        assert isinstance(ours, type(sdk_error)), (name, type(ours).__mro__, type(sdk_error))
        assert ours.__cause__ is not None
        assert type(ours).__module__ == "runwire.chat_models.errors"


def test_sdk_attributes_and_runwire_fields_live_on_one_error(server: ScriptedServer) -> None:
    """The error carries the SDK's fields (`response`, `status_code`) and runwire's (`retry_after`),
    its message is runwire's, and it pickles (as the same pair of classes, without the response)."""
    from runwire.chat_models import ChatOpenAI

    server.script(Reply(status=429, json={"error": {"message": "slow down"}}, headers={"retry-after": "2"}))
    model = ChatOpenAI(api_key="sk-test", base_url=f"{server.url}/v1", max_retries=0)
    with pytest.raises(openai.RateLimitError) as caught:
        model.invoke("x")
    error = caught.value
    assert isinstance(error, RateLimitError)
    assert (error.status_code, error.retry_after, error.response.status_code) == (429, 2.0, 429)
    assert error.message == str(error)
    assert "slow down" in str(error)
    copy = pickle.loads(pickle.dumps(error))
    assert isinstance(copy, RateLimitError)
    assert isinstance(copy, openai.RateLimitError)
    assert (str(copy), copy.retry_after) == (str(error), 2.0)


def test_messages_name_the_host_base_url_points_at(server: ScriptedServer) -> None:
    """A local OpenAI-compatible server that fails is named as such, not as "OpenAI"."""
    from runwire.chat_models import ChatOpenAI

    host = server.url.removeprefix("http://")
    server.script(Reply(status=500, json={"error": {"message": "boom"}}))
    model = ChatOpenAI(api_key="sk-test", base_url=f"{server.url}/v1", max_retries=0)
    with pytest.raises(ServerError) as caught:
        model.invoke("x")
    assert str(caught.value).startswith(
        f"the OpenAI-compatible server at {host} returned HTTP 500 after 1 attempt (boom)."
    )
    server.close()
    gone = ChatOpenAI(api_key="sk-test", base_url=f"{server.url}/v1", max_retries=0)
    with pytest.raises(
        openai.APIConnectionError, match=f"could not talk to the OpenAI-compatible server at {host}"
    ):
        gone.invoke("x")


def test_messages_name_the_vendor_for_its_own_api() -> None:
    """With no base_url, or the vendor's own, the vendor is named."""
    from runwire.chat_models.errors import translate_error

    class Status(Exception):
        status_code, body, response = 500, {"error": {"message": "boom"}}, None

    for base_url in (None, "https://api.openai.com/v1"):
        assert str(translate_error(Status(), "openai", 0, base_url)).startswith("OpenAI returned HTTP 500")
