"""Handlers that are langchain-core classes receive langchain-core objects from runwire runs
(converted for them only); runwire's own handlers keep receiving runwire objects."""

from __future__ import annotations

import itertools

import pytest
from langchain_core.callbacks import UsageMetadataCallbackHandler
from langchain_core.messages import AIMessage as LcAIMessage
from langchain_core.tracers.stdout import ConsoleCallbackHandler

from runwire.language_models import GenericFakeChatModel
from runwire.messages import AIMessage
from runwire.output_parsers import StrOutputParser
from runwire.outputs import LLMResult
from runwire.prompts import ChatPromptTemplate

from .conftest import Tree

REPLY = AIMessage(
    "four",
    usage_metadata={"input_tokens": 5, "output_tokens": 1, "total_tokens": 6},
    response_metadata={"model_name": "fake-model"},
)


def _chain() -> object:
    model = GenericFakeChatModel(messages=itertools.cycle([REPLY]))
    return ChatPromptTemplate.from_template("What is {q}?") | model | StrOutputParser()


async def test_usage_metadata_handler_counts_runwire_usage() -> None:
    """langchain-core's UsageMetadataCallbackHandler sums a runwire model's usage (it checks
    isinstance against langchain-core's AIMessage), sync and async."""
    usage = UsageMetadataCallbackHandler()
    _chain().invoke({"q": "2+2"}, {"callbacks": [usage]})
    await _chain().ainvoke({"q": "2+2"}, {"callbacks": [usage]})
    assert usage.usage_metadata["fake-model"]["total_tokens"] == 12


def test_console_handler_prints_real_messages(capsys: pytest.CaptureFixture[str]) -> None:
    """langchain-core's ConsoleCallbackHandler prints runwire messages as langchain messages,
    not as "not_implemented" objects."""
    _chain().invoke({"q": "2+2"}, {"callbacks": [ConsoleCallbackHandler()]})
    out = capsys.readouterr().out
    assert "[chain/start]" in out
    assert "[llm/end]" in out
    assert "not_implemented" not in out
    assert '"What is 2+2?"' in out or "What is 2+2?" in out


def test_each_handler_gets_its_own_library_objects(tree: Tree) -> None:
    """In one run, a langchain-core handler gets langchain objects and a runwire handler runwire's."""
    seen: list[object] = []

    class LcHandler(UsageMetadataCallbackHandler):
        def on_llm_end(self, response: object, **kwargs: object) -> None:
            seen.append(response)
            super().on_llm_end(response, **kwargs)  # type: ignore[arg-type]

    _chain().invoke({"q": "2+2"}, {"callbacks": [LcHandler(), tree]})
    (lc_result,) = seen
    assert isinstance(lc_result.generations[0][0].message, LcAIMessage)  # type: ignore[attr-defined]
    (rw_result,), _ = tree.payload("on_llm_end", "GenericFakeChatModel")
    assert isinstance(rw_result, LLMResult)
    assert isinstance(rw_result.generations[0][0].message, AIMessage)
