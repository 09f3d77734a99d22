"""Language models: the chat and text model bases, and fakes for testing the runtime."""

from runwire._not_yet import install_methods as _install_methods
from runwire.language_models.base import BaseLanguageModel
from runwire.language_models.chat_models import BaseChatModel, SimpleChatModel
from runwire.language_models.fake import (
    FakeListChatModel,
    FakeListChatModelError,
    FakeListLLM,
    FakeListLLMError,
    FakeMessagesListChatModel,
    FakeStreamingListLLM,
    GenericFakeChatModel,
    ParrotFakeChatModel,
)
from runwire.language_models.llms import LLM, BaseLLM

LanguageModelInput = object

__all__ = [
    "LLM",
    "BaseChatModel",
    "BaseLLM",
    "BaseLanguageModel",
    "FakeListChatModel",
    "FakeListChatModelError",
    "FakeListLLM",
    "FakeListLLMError",
    "FakeMessagesListChatModel",
    "FakeStreamingListLLM",
    "GenericFakeChatModel",
    "LanguageModelInput",
    "ParrotFakeChatModel",
    "SimpleChatModel",
]


_install_methods(BaseChatModel, "BaseChatModel")  # explaining errors for langchain-core methods not here yet


def __getattr__(name: str) -> object:
    """A langchain-core name runwire does not have yet fails with a pointer to the migration guide."""
    from runwire._not_yet import missing_attribute

    raise missing_attribute(__name__, name)
