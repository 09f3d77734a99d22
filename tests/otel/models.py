"""Models and chains the OpenTelemetry tests run: a scripted chat model that reports a provider,
a model name and sampling settings, and replies carrying response metadata and token usage."""

from __future__ import annotations

import itertools
from typing import Any

from runwire.language_models import GenericFakeChatModel
from runwire.messages import AIMessage
from runwire.output_parsers import StrOutputParser
from runwire.prompts import ChatPromptTemplate

PROMPT = ChatPromptTemplate.from_template("What is 1 + {number}?")


def reply(text: str = "The answer is 3.", *, response_id: str = "chatcmpl-1", **kwargs: Any) -> AIMessage:
    """An AI message as a provider returns it: id, model, finish reason and usage included."""
    return AIMessage(
        content=text,
        response_metadata={"id": response_id, "model_name": "gpt-fake-0613", "finish_reason": "stop"},
        usage_metadata={"input_tokens": 7, "output_tokens": 5, "total_tokens": 12},
        **kwargs,
    )


class FakeGPT(GenericFakeChatModel):
    """A GenericFakeChatModel that says it is OpenAI's `gpt-fake` (through `_get_ls_params`)."""

    model_name: str = "gpt-fake"
    temperature: float = 0.2
    max_tokens: int = 64

    def _provider(self) -> str:
        return "openai"


def model(*replies: Any) -> FakeGPT:
    """FakeGPT replying with `replies` in turn, or `reply()` forever."""
    return FakeGPT(messages=iter(replies) if replies else itertools.repeat(reply()))


def chain(llm: Any = None) -> Any:
    """chain (a): prompt | model | StrOutputParser()."""
    return PROMPT | (llm if llm is not None else model()) | StrOutputParser()


CHAIN_TREE = (
    "RunnableSequence",
    [("ChatPromptTemplate", []), ("chat gpt-fake", []), ("StrOutputParser", [])],
)
