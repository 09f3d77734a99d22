"""Prompts: templates that turn a dict of variables into model input.

`PromptTemplate` formats text; `ChatPromptTemplate` formats a list of messages from role
tuples, message templates and placeholders; few-shot prompts format examples into either.
Templates are f-strings, mustache or jinja2 (sandboxed, the `jinja2` extra, imported only when
such a template is built), parsed once, when built, so an f-string call is a dict lookup and a
`str.format_map` per message. Same names, signatures and reprs as `langchain_core.prompts`.
"""

from runwire.prompt_values import ChatPromptValue, PromptValue, StringPromptValue
from runwire.prompts.base import BasePromptTemplate, StringPromptTemplate
from runwire.prompts.chat import BaseChatPromptTemplate, ChatPromptTemplate, MessageLike
from runwire.prompts.content import DictPromptTemplate, ImagePromptTemplate
from runwire.prompts.document import aformat_document, format_document
from runwire.prompts.few_shot import (
    FewShotChatMessagePromptTemplate,
    FewShotPromptTemplate,
    FewShotPromptWithTemplates,
)
from runwire.prompts.message import (
    AIMessagePromptTemplate,
    BaseMessagePromptTemplate,
    BaseStringMessagePromptTemplate,
    ChatMessagePromptTemplate,
    HumanMessagePromptTemplate,
    MessagesPlaceholder,
    SystemMessagePromptTemplate,
)
from runwire.prompts.prompt import PromptTemplate
from runwire.prompts.string import (
    check_valid_template,
    get_template_variables,
    jinja2_formatter,
    validate_jinja2,
)

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
    "FewShotChatMessagePromptTemplate",
    "FewShotPromptTemplate",
    "FewShotPromptWithTemplates",
    "HumanMessagePromptTemplate",
    "ImagePromptTemplate",
    "MessageLike",
    "MessagesPlaceholder",
    "PromptTemplate",
    "PromptValue",
    "StringPromptTemplate",
    "StringPromptValue",
    "SystemMessagePromptTemplate",
    "aformat_document",
    "check_valid_template",
    "format_document",
    "get_template_variables",
    "jinja2_formatter",
    "validate_jinja2",
]


def __getattr__(name: str) -> object:
    """A langchain-core name runwire does not have yet fails with a pointer to the migration guide."""
    from runwire._not_yet import missing_attribute

    raise missing_attribute(__name__, name)
