"""langchain-core APIs runwire does not have yet: a clear error instead of a bare AttributeError.

`from runwire.messages import Citation`, `message.to_json()` or `import runwire.indexing` fails
with a message that names the langchain-core API, says it is not in runwire yet and points to
the migration guide, instead of "cannot import name" / "No module named". Three tables, plain
data (langchain-core is never imported here): names of a module (MODULES, raised from each
module's `__getattr__`), methods of a class (METHODS, installed by `install_methods`) and whole
modules (MISSING_MODULES, raised by a finder placed last on `sys.meta_path`, so only an import
that found nothing else ever reaches it). `tests/test_not_yet.py` holds the tables to
langchain-core's own public names both ways: when an API lands, delete its line.
Not here: anything that implements those APIs.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # `import runwire` installs the finder below and must not import typing
if TYPE_CHECKING:
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
    "runwire.load": frozenset({
        "InitValidator",  # a type alias; runwire.load.default_init_validator is the function
    }),
    "runwire.utils": frozenset({
        "StrictFormatter",
        "abatch_iterate",
        "batch_iterate",
        "build_extra_kwargs",
        "check_package_version",
        "comma_list",
        "convert_to_secret_str",
        "formatter",
        "from_env",
        "get_bolded_text",
        "get_color_mapping",
        "get_colored_text",
        "get_from_dict_or_env",
        "get_from_env",
        "get_pydantic_field_names",
        "guard_import",
        "image",
        "mock_now",
        "pre_init",
        "print_text",
        "raise_for_status_with_text",
        "sanitize_for_postgres",
        "secret_from_env",
        "stringify_dict",
        "stringify_value",
        "xor_args",
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
    "BaseMessage": frozenset(),
    "BasePromptTemplate": frozenset({
        "save",
        "validate_variable_names",
    }),
    "BaseOutputParser": frozenset({
        "asdict",
    }),
    # Complete today; kept so that a method langchain-core adds is caught by the tests.
    "BaseTool": frozenset(),
    "BaseRetriever": frozenset(),
    "VectorStore": frozenset(),
    "Embeddings": frozenset(),
}  # fmt: skip

# langchain_core modules (as runwire names) with no runwire twin. A submodule of one listed here
# needs no line of its own: importing it imports the listed parent first.
MISSING_MODULES: frozenset[str] = frozenset({
    "runwire.callbacks.file",  # FileCallbackHandler: use runwire.tracers' SQLite/console tracers
    "runwire.callbacks.streaming_stdout",
    "runwire.chat_loaders",
    "runwire.chat_sessions",
    "runwire.cross_encoders",
    "runwire.decisions",
    "runwire.document_loaders",
    "runwire.embeddings.embeddings",
    "runwire.env",
    "runwire.indexing",
    "runwire.language_models.chat_model_stream",
    "runwire.language_models.fake_chat_models",
    "runwire.language_models.model_profile",
    "runwire.messages.block_translators",
    "runwire.messages.chat",
    "runwire.messages.function",
    "runwire.messages.human",
    "runwire.messages.modifier",
    "runwire.messages.notification",
    "runwire.messages.system",
    "runwire.outputs.chat_generation",
    "runwire.outputs.chat_result",
    "runwire.outputs.generation",
    "runwire.outputs.llm_result",
    "runwire.outputs.run_info",
    "runwire.prompts.loading",
    "runwire.prompts.structured",
    "runwire.runnables.graph_ascii",
    "runwire.runnables.graph_mermaid",
    "runwire.runnables.graph_png",
    "runwire.stores",
    "runwire.structured_query",
    "runwire.sys_info",
    "runwire.tools.simple",
    "runwire.tracers.core",
    "runwire.tracers.evaluation",
    "runwire.tracers.event_stream",
    "runwire.tracers.langchain",
    "runwire.tracers.memory_stream",
    "runwire.tracers.root_listeners",
    "runwire.utils.aiter",
    "runwire.utils.env",
    "runwire.utils.formatting",
    "runwire.utils.html",
    "runwire.utils.image",
    "runwire.utils.input",
    "runwire.utils.interactive_env",
    "runwire.utils.iter",
    "runwire.utils.json",
    "runwire.utils.pydantic",
    "runwire.utils.strings",
    "runwire.utils.usage",
    "runwire.utils.utils",
    "runwire.utils.uuid",
    "runwire.version",
})  # fmt: skip


class NotInRunwireYetError(AttributeError):
    """A langchain-core attribute runwire does not have yet (an AttributeError: `hasattr` is False)."""


class NotInRunwireYetImportError(ImportError):
    """`from runwire.x import Name` for a langchain-core name runwire does not have yet."""


class NotInRunwireYetModuleError(ModuleNotFoundError):
    """`import runwire.x` for a langchain-core module runwire has no twin of yet."""


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


def _module_message(fullname: str) -> str:
    """Names the langchain_core module and, for a submodule, the runwire package to import from."""
    twin = "langchain_core" + fullname.removeprefix("runwire")
    parent = fullname.rpartition(".")[0]
    while parent in MISSING_MODULES:
        parent = parent.rpartition(".")[0]
    instead = (
        f" The names of it that runwire has are importable from {parent}." if parent != "runwire" else ""
    )
    return f"{_message(f'The module {twin}')}{instead}"


def missing_attribute(module: str, name: str) -> Exception:
    """The error a runwire module's `__getattr__` raises for `name` (call it from there)."""
    if name in MODULES.get(module, ()):
        text = _message(f"langchain_core{module.removeprefix('runwire')}.{name}")
    elif f"{module}.{name}" in MISSING_MODULES:  # `from runwire import indexing`
        text = _module_message(f"{module}.{name}")
    else:
        return AttributeError(f"module {module!r} has no attribute {name!r}")
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


class _MissingModuleFinder:
    """Last on `sys.meta_path`: reached only by an import every real finder failed to find, so
    existing modules never pay for it. Knows only MISSING_MODULES; for anything else it
    answers None and Python's own "No module named" error follows."""

    @staticmethod
    def find_spec(fullname: str, *_: object) -> None:  # (fullname, path, target=None)
        if fullname in MISSING_MODULES:
            raise NotInRunwireYetModuleError(_module_message(fullname), name=fullname)


def install_module_finder() -> None:
    """Put the finder last on `sys.meta_path`, once (a reload of runwire must not add another)."""
    if not any(type(f).__name__ == "_MissingModuleFinder" for f in sys.meta_path):
        sys.meta_path.append(_MissingModuleFinder())
