"""langchain-core APIs runwire does not have yet: a clear error instead of a bare AttributeError.

`from runwire.runnables import RunnableWithMessageHistory` (or `runnable.get_graph()`) fails with
a message that names the langchain-core API, says it is not in runwire yet and points to the
migration guide, instead of "cannot import name". The tables are plain data: langchain-core is
never imported here. `tests/test_not_yet.py` checks them against langchain-core's `__all__` (a
name langchain-core exports must be in runwire or below) and flags entries runwire now has:
when an API lands, delete its line. Not here: anything that implements those APIs.
"""

from __future__ import annotations

import sys
from typing import Any

GUIDE = "docs/migration.md"

# runwire module -> names its langchain_core twin exports that it does not have yet.
MODULES: dict[str, frozenset[str]] = {
    "runwire.callbacks": frozenset({
        "FileCallbackHandler",  # in runwire.tracers
    }),
    "runwire.runnables": frozenset({
    }),
    "runwire.messages": frozenset({
        "Annotation",
        "AudioContentBlock",
        "Citation",
        "ContentBlock",
        "DataContentBlock",
        "FileContentBlock",
        "ImageContentBlock",
        "NonStandardAnnotation",
        "NonStandardContentBlock",
        "NotificationMetadata",
        "PlainTextContentBlock",
        "ReasoningContentBlock",
        "RefusalContentBlock",
        "ServerToolCall",
        "ServerToolCallChunk",
        "ServerToolResult",
        "TextContentBlock",
        "VideoContentBlock",
        "add_notification_metadata",
        "get_notification_metadata",
    }),
    "runwire.prompts": frozenset({
        "load_prompt",
    }),
    "runwire.prompt_values": frozenset({
        "ImageURL",
    }),
    "runwire.output_parsers": frozenset({
    }),
    "runwire.language_models": frozenset({
        "LangSmithParams",
        "LanguageModelLike",
        "LanguageModelOutput",
        "ModelProfile",
        "ModelProfileRegistry",
        "get_tokenizer",
        "is_openai_data_block",
    }),
    "runwire.tools": frozenset({
        "_get_runnable_config_param",
    }),
    "runwire.documents": frozenset({
    }),
    "runwire.retrievers": frozenset({
        "LangSmithRetrieverParams",
    }),
    "runwire.tracers": frozenset({
        "EvaluatorCallbackHandler",
        "LangChainTracer",
    }),
    "runwire.exceptions": frozenset({
        "ContextOverflowError",
        "ErrorCode",
        "ModelAPIError",
        "ModelAuthenticationError",
        "ModelConnectionError",
        "ModelInvalidRequestError",
        "ModelNotFoundError",
        "ModelPermissionDeniedError",
        "ModelRateLimitError",
        "ModelTimeoutError",
        "create_message",
    }),
    "runwire.utils.function_calling": frozenset({
        "FunctionDescription",
        "ToolDescription",
    }),
}  # fmt: skip

# runwire class -> langchain-core methods it does not have yet (installed by `install_methods`).
METHODS: dict[str, frozenset[str]] = {
    "Runnable": frozenset({
        "stream_events",
    }),
    "BaseChatModel": frozenset({
        "agenerate_prompt",
        "asdict",
        "generate_prompt",
        "set_verbose",
    }),
}  # fmt: skip


class NotInRunwireYetError(AttributeError):
    """A langchain-core attribute runwire does not have yet (an AttributeError: `hasattr` is False)."""


class NotInRunwireYetImportError(ImportError):
    """`from runwire.x import Name` for a langchain-core name runwire does not have yet."""


def _message(api: str) -> str:
    return (
        f'{api} is not in runwire yet. See {GUIDE} ("Not supported yet") for '
        "what runwire covers and what to use meanwhile, and open an issue if you need it."
    )


def _importing(depth: int) -> bool:
    """Whether the frame `depth` levels up is executing `from module import name`."""
    import opcode

    frame = sys._getframe(depth + 1)
    return frame.f_code.co_code[frame.f_lasti] == opcode.opmap["IMPORT_FROM"]


def missing_attribute(module: str, name: str) -> Exception:
    """The error a runwire module's `__getattr__` raises for `name` (call it from there)."""
    if name not in MODULES.get(module, ()):
        return AttributeError(f"module {module!r} has no attribute {name!r}")
    text = _message(f"langchain_core{module.removeprefix('runwire')}.{name}")
    if _importing(2):  # -> module.__getattr__ -> the `from ... import` being executed
        return NotInRunwireYetImportError(text, name=module)
    return NotInRunwireYetError(text, name=name)


class _NotYetMethod:
    """A class attribute whose every read raises NotInRunwireYetError."""

    def __init__(self, owner: str, name: str) -> None:
        self.api = f"langchain-core's {owner}.{name}()"
        self.name = name

    def __get__(self, obj: Any, objtype: Any = None) -> Any:
        raise NotInRunwireYetError(_message(self.api), name=self.name, obj=obj)


def install_methods(cls: type, owner: str) -> None:
    """Give `cls` an explaining attribute for each langchain-core method it lacks. Methods it
    (or a class it derives from) defines are left alone, so one that lands needs no change here."""
    for name in METHODS[owner]:
        if not hasattr(cls, name):
            setattr(cls, name, _NotYetMethod(owner, name))
