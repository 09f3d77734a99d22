"""Exceptions with langchain-core's names, so `except OutputParserException:` keeps working.

Messages are runwire's own (they say what was expected and what to do); they carry no
troubleshooting URL. Not here: tool errors (`runwire.tools`), callback errors.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from runwire.messages import BaseMessage


class LangChainException(Exception):
    """Base of the errors runwire raises under langchain-core's names."""


class TracerException(LangChainException):
    """A tracer could not record a run."""


class OutputParserException(ValueError, LangChainException):
    """A parser could not read a model's output.

    `llm_output` is the text that failed; `observation` and `send_to_llm` let an agent show
    the error to the model so it can retry.
    """

    def __init__(
        self,
        error: Any,
        observation: str | None = None,
        llm_output: str | None = None,
        send_to_llm: bool = False,
    ) -> None:
        super().__init__(error)
        if send_to_llm and (observation is None or llm_output is None):
            raise ValueError(
                "send_to_llm=True needs both observation= and llm_output= (what the model is shown)."
            )
        self.observation = observation
        self.llm_output = llm_output
        self.send_to_llm = send_to_llm


class ModelError(LangChainException):
    """A model provider failed; `is_retryable` says whether trying again may help."""

    is_retryable = False


class ModelRefusalError(ModelError):
    """The model refused to answer (a `refusal` content block) instead of giving output."""

    def __init__(
        self,
        message: str = "Model refused to produce the requested output",
        *,
        raw_message: BaseMessage | None = None,
    ) -> None:
        self.raw_message = raw_message
        super().__init__(message)

    @classmethod
    def from_refusal(cls, refusal: dict[str, Any], *, raw_message: BaseMessage) -> ModelRefusalError:
        """The error for a `{"type": "refusal", "refusal": text}` block of `raw_message`."""
        message = "Model refused to produce the requested output"
        category = (refusal.get("extras") or {}).get("category")
        if category:
            message += f" (category={category!r})"
        text = refusal.get("refusal")
        if text:
            message += f": {text}"
        return cls(message, raw_message=raw_message)


__all__ = [
    "LangChainException",
    "ModelError",
    "ModelRefusalError",
    "OutputParserException",
    "TracerException",
]


def __getattr__(name: str) -> object:
    """A langchain-core name runwire does not have yet fails with a pointer to the migration guide."""
    from runwire._not_yet import missing_attribute

    raise missing_attribute(__name__, name)
