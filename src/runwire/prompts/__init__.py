"""Prompts: templates that turn a dict of variables into model input.

`PromptTemplate` formats text; `ChatPromptTemplate` formats a list of messages from role
tuples, message templates and placeholders. Templates are parsed once, when built, so a call
is a dict lookup and a `str.format_map` per message. Same names, signatures and reprs as
`langchain_core.prompts`; templates are f-strings only (no mustache or jinja2).
"""

from runwire.prompt_values import ChatPromptValue, PromptValue, StringPromptValue
from runwire.prompts.base import BasePromptTemplate, StringPromptTemplate
from runwire.prompts.chat import BaseChatPromptTemplate, ChatPromptTemplate, MessageLike
from runwire.prompts.content import DictPromptTemplate, ImagePromptTemplate
from runwire.prompts.message import (
    AIMessagePromptTemplate,
    BaseMessagePromptTemplate,
    BaseStringMessagePromptTemplate,
    ChatMessagePromptTemplate,
    HumanMessagePromptTemplate,
    MessagesPlaceholder,
    SystemMessagePromptTemplate,
)
from runwire.prompts.prompt import PromptTemplate, check_valid_template, get_template_variables

__all__ = [
    "AIMessagePromptTemplate",
    "BaseChatPromptTemplate",
    "BaseMessagePromptTemplate",
    "BasePromptTemplate",
    "BaseStringMessagePromptTemplate",
    "ChatMessagePromptTemplate",
    "ChatPromptTemplate",
    "ChatPromptValue",
    "DictPromptTemplate",
    "HumanMessagePromptTemplate",
    "ImagePromptTemplate",
    "MessageLike",
    "MessagesPlaceholder",
    "PromptTemplate",
    "PromptValue",
    "StringPromptTemplate",
    "StringPromptValue",
    "SystemMessagePromptTemplate",
    "check_valid_template",
    "get_template_variables",
]


def __getattr__(name: str) -> object:
    """A langchain-core name runwire does not have yet fails with a pointer to the migration guide."""
    from runwire._not_yet import missing_attribute

    raise missing_attribute(__name__, name)
