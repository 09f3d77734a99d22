"""The console tracer: a tree per finished trace, or langchain's lines; errors included."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from inline_snapshot import snapshot

from runwire.runnables import RunnableLambda
from runwire.tracers import ConsoleCallbackHandler, FunctionCallbackHandler

from .helpers import mask, qa_chain

_ANSI = re.compile(r"\033\[[0-9;]*m")


def _nested_failing_chain() -> Any:
    """prompt | model | parser | delegate, a lambda invoking (shout | explode), whose last step raises."""

    def explode(text: str) -> str:
        raise ValueError(f"cannot use {text!r}")

    inner = RunnableLambda(lambda text: text.upper(), name="shout") | RunnableLambda(explode)
    return qa_chain() | RunnableLambda(lambda text: inner.invoke(text), name="delegate")


def _run(handler: Any, chain: Any) -> None:
    try:
        chain.invoke({"number": "2"}, {"callbacks": [handler]})
    except ValueError:
        pass


def test_tree_shows_nesting_timings_tokens_and_errors() -> None:
    """One tree per trace: each run with its type and time, the model's tokens, errors in place."""
    out = io.StringIO()
    _run(ConsoleCallbackHandler(file=out, color=False, show_io=False), _nested_failing_chain())
    assert mask(out.getvalue()) == snapshot("""\
✗ RunnableSequence  chain  <ms>  ValueError("cannot use 'THE ANSWER IS 3.'")
├── ✓ ChatPromptTemplate  prompt  <ms>
├── ✓ GenericFakeChatModel  llm  <ms>  fake-model-1  12 tokens (7 in, 5 out)
├── ✓ StrOutputParser  parser  <ms>
└── ✗ delegate  chain  <ms>  ValueError("cannot use 'THE ANSWER IS 3.'")
    └── ✗ RunnableSequence  chain  <ms>  ValueError("cannot use 'THE ANSWER IS 3.'")
        ├── ✓ shout  chain  <ms>
        └── ✗ explode  chain  <ms>  ValueError("cannot use 'THE ANSWER IS 3.'")
""")


def test_tree_shows_inputs_and_outputs_by_default() -> None:
    """By default (as `runwire traces show`) one `in` and one `out` line under each run."""
    out = io.StringIO()
    _run(ConsoleCallbackHandler(file=out, color=False), qa_chain())
    assert mask(out.getvalue()) == snapshot("""\
✓ RunnableSequence  chain  <ms>
│ in  {"number": "2"}
│ out The answer is 3.
├── ✓ ChatPromptTemplate  prompt  <ms>
│     in  {"number": "2"}
│     out Human: What is 1 + 2?
├── ✓ GenericFakeChatModel  llm  <ms>  fake-model-1  12 tokens (7 in, 5 out)
│     in  Human: What is 1 + 2?
│     out The answer is 3.
└── ✓ StrOutputParser  parser  <ms>
      in  AI: The answer is 3.
      out The answer is 3.
""")


def test_tree_truncates_long_inputs_and_outputs_to_one_line() -> None:
    """A long multi-line payload is shown on one line, cut with an ellipsis."""
    out = io.StringIO()
    echo = RunnableLambda(lambda text: text, name="echo")
    echo.invoke("word\n" * 200, {"callbacks": [ConsoleCallbackHandler(file=out, color=False)]})
    lines = out.getvalue().splitlines()
    assert [line[:8] for line in lines[1:]] == ["  in  wo", "  out wo"]
    assert all(line.endswith("…") and len(line) < 200 for line in lines[1:])


def test_lines_style_prints_langchains_format() -> None:
    """`style="lines"` prints langchain's `[chain/start] [crumbs] Entering ... run with input:` lines."""
    out = io.StringIO()
    _run(ConsoleCallbackHandler("lines", file=out, color=False), _nested_failing_chain())
    text = mask(out.getvalue())
    heads = "\n".join(line for line in text.splitlines() if line.startswith("[")) + "\n"
    assert heads == snapshot("""\
[chain/start] [chain:RunnableSequence] Entering Chain run with input:
[chain/start] [chain:RunnableSequence > prompt:ChatPromptTemplate] Entering Prompt run with input:
[chain/end] [chain:RunnableSequence > prompt:ChatPromptTemplate] [<ms>] Exiting Prompt run with output:
[llm/start] [chain:RunnableSequence > llm:GenericFakeChatModel] Entering LLM run with input:
[llm/end] [chain:RunnableSequence > llm:GenericFakeChatModel] [<ms>] Exiting LLM run with output:
[chain/start] [chain:RunnableSequence > parser:StrOutputParser] Entering Parser run with input:
[chain/end] [chain:RunnableSequence > parser:StrOutputParser] [<ms>] Exiting Parser run with output:
[chain/start] [chain:RunnableSequence > chain:delegate] Entering Chain run with input:
[chain/start] [chain:RunnableSequence > chain:delegate > chain:RunnableSequence] Entering Chain run with input:
[chain/start] [chain:RunnableSequence > chain:delegate > chain:RunnableSequence > chain:shout] Entering Chain run with input:
[chain/end] [chain:RunnableSequence > chain:delegate > chain:RunnableSequence > chain:shout] [<ms>] Exiting Chain run with output:
[chain/start] [chain:RunnableSequence > chain:delegate > chain:RunnableSequence > chain:explode] Entering Chain run with input:
[chain/error] [chain:RunnableSequence > chain:delegate > chain:RunnableSequence > chain:explode] [<ms>] Chain run errored with error:
[chain/error] [chain:RunnableSequence > chain:delegate > chain:RunnableSequence] [<ms>] Chain run errored with error:
[chain/error] [chain:RunnableSequence > chain:delegate] [<ms>] Chain run errored with error:
[chain/error] [chain:RunnableSequence] [<ms>] Chain run errored with error:
""")  # noqa: E501


def test_lines_style_shows_model_prompts_and_json_inputs() -> None:
    """A chat model's input prints as rendered prompts, as langchain's console does."""
    out = io.StringIO()
    _run(ConsoleCallbackHandler("lines", file=out, color=False), qa_chain())
    text = out.getvalue()
    crumbs = "[chain:RunnableSequence > llm:GenericFakeChatModel]"
    model_start = f"[llm/start] {crumbs} Entering LLM run with input:"
    assert f'{model_start}\n{{\n  "prompts": [\n    "Human: What is 1 + 2?"\n  ]\n}}' in text
    chain_start = "[chain/start] [chain:RunnableSequence] Entering Chain run with input:"
    assert f'{chain_start}\n{{\n  "number": "2"\n}}' in text


def test_function_handler_gets_each_line_and_keeps_no_state_after_the_run() -> None:
    """FunctionCallbackHandler calls the function per event and forgets finished runs."""
    lines: list[str] = []
    handler = FunctionCallbackHandler(lines.append, color=False)
    qa_chain().invoke({"number": "2"}, {"callbacks": [handler]})
    assert len(lines) == 8
    assert handler.run_map == {}
    assert handler._crumbs == {}


@pytest.mark.parametrize("use_rich", [True, False], ids=["rich", "plain-ansi"])
def test_colour_changes_only_the_styling(use_rich: bool) -> None:
    """Coloured output (rich or plain ANSI) is the plain text plus escape codes."""
    plain, coloured = io.StringIO(), io.StringIO()
    _run(ConsoleCallbackHandler(file=plain, color=False), _nested_failing_chain())
    _run(ConsoleCallbackHandler(file=coloured, color=True, use_rich=use_rich), _nested_failing_chain())
    assert "\033[" in coloured.getvalue()
    assert mask(_ANSI.sub("", coloured.getvalue())) == mask(plain.getvalue())


def test_no_color_env_turns_colour_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """With colour left automatic, NO_COLOR wins even when FORCE_COLOR is unset and the stream is a tty."""

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    out = Tty()
    _run(ConsoleCallbackHandler(file=out), qa_chain())
    assert "\033[" not in out.getvalue()


def test_console_never_prints_an_api_key() -> None:
    """Payloads go through the content policy: a key in an input is printed as [REDACTED]."""
    out = io.StringIO()
    chain = RunnableLambda(lambda _: "ok")
    chain.invoke(
        {"api_key": "abc123", "note": "use sk-ant-api03-abcdefghijklmnop"},
        {"callbacks": [ConsoleCallbackHandler("lines", file=out, color=False)]},
    )
    assert "abc123" not in out.getvalue()
    assert "sk-ant-api03" not in out.getvalue()
    assert out.getvalue().count("[REDACTED]") == 2
