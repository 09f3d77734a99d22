"""Language models: the chat and text model bases, and fakes for testing the runtime."""

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
