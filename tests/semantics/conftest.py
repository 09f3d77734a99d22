"""Fixtures for the callback-semantics suite: one test body, run on langchain-core and on runwire.

`lib` is a namespace with the same public names from either library (imported lazily, so a
test only needs the names it uses). `lib.Recorder` / `lib.AsyncRecorder` are handlers built from
that library's base classes which record every event; `Trace` renders what they heard with run
ids shortened to R1, R2... in order of first appearance, so expected traces read like the
reference note (§3 of /work/shared/reference/langchain_callbacks.md).

Where runwire deliberately differs from langchain-core, a test asserts each library's own
behaviour (`if lib.name == "langchain_core": ... else: ...`) and names the upstream issue.
The note describes langchain-core 1.7.2; the suite was checked against 1.8.3, and no behaviour
tested here differs between the two.
"""

from __future__ import annotations

import asyncio
import importlib
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import pytest

LIBS = ("langchain_core", "runwire")

# Public name -> the submodule (under `langchain_core.` or `runwire.`) that exports it.
_WHERE = {
    "BaseCallbackHandler": "callbacks",
    "AsyncCallbackHandler": "callbacks",
    "CallbackManager": "callbacks",
    "StdOutCallbackHandler": "callbacks",
    "dispatch_custom_event": "callbacks",
    "adispatch_custom_event": "callbacks",
    "ChatPromptTemplate": "prompts",
    "GenericFakeChatModel": "language_models",
    "FakeListChatModel": "language_models",
    "FakeListLLM": "language_models",
    "BaseChatModel": "language_models",
    "StrOutputParser": "output_parsers",
    "RunnableLambda": "runnables",
    "RunnableParallel": "runnables",
    "RunnablePassthrough": "runnables",
    "RunnableBranch": "runnables",
    "RunnableSequence": "runnables",
    "RunnableConfig": "runnables",
    "ContextThreadPoolExecutor": "runnables.config",
    # i21: runnables parity
    "RunnableGenerator": "runnables",
    "RunnablePick": "runnables",
    "AddableDict": "runnables",
    "ensure_config": "runnables",
    "HumanMessage": "messages",
    "AIMessage": "messages",
    "SystemMessage": "messages",
    "LLMResult": "outputs",
    "ChatGeneration": "outputs",
    "Generation": "outputs",
    # -- i16b: prompts and output parsers ---------------------------------------------------
    "AIMessageChunk": "messages",
    "ChatMessage": "messages",
    "OutputParserException": "exceptions",
    "ModelRefusalError": "exceptions",
    "JsonOutputParser": "output_parsers",
    "SimpleJsonOutputParser": "output_parsers",
    "PydanticOutputParser": "output_parsers",
    "CommaSeparatedListOutputParser": "output_parsers",
    "NumberedListOutputParser": "output_parsers",
    "MarkdownListOutputParser": "output_parsers",
    "XMLOutputParser": "output_parsers",
    "JsonOutputToolsParser": "output_parsers",
    "JsonOutputKeyToolsParser": "output_parsers",
    "PydanticToolsParser": "output_parsers",
    "parse_tool_call": "output_parsers.openai_tools",
    "parse_tool_calls": "output_parsers.openai_tools",
    "make_invalid_tool_call": "output_parsers.openai_tools",
    "OutputFunctionsParser": "output_parsers.openai_functions",
    "JsonOutputFunctionsParser": "output_parsers.openai_functions",
    "JsonKeyOutputFunctionsParser": "output_parsers.openai_functions",
    "PydanticOutputFunctionsParser": "output_parsers.openai_functions",
    "PydanticAttrOutputFunctionsParser": "output_parsers.openai_functions",
    "PromptTemplate": "prompts",
    "StringPromptTemplate": "prompts",
    "ChatMessagePromptTemplate": "prompts",
    "HumanMessagePromptTemplate": "prompts",
    "SystemMessagePromptTemplate": "prompts",
    "AIMessagePromptTemplate": "prompts",
    "MessagesPlaceholder": "prompts",
    "FewShotPromptTemplate": "prompts",
    "FewShotChatMessagePromptTemplate": "prompts",
    "FewShotPromptWithTemplates": "prompts",
    "DictPromptTemplate": "prompts",
    "ImagePromptTemplate": "prompts.image",
    "get_template_variables": "prompts",
    "check_valid_template": "prompts",
    "jinja2_formatter": "prompts",
    "validate_jinja2": "prompts",
    "mustache_formatter": "prompts.string",
    "mustache_template_vars": "prompts.string",
    "BaseExampleSelector": "example_selectors",
    "LengthBasedExampleSelector": "example_selectors",
    # -- i15a: schemas, configurable, listeners, history, config helpers, router, graph, as_tool
    "RouterRunnable": "runnables",
    "ConfigurableField": "runnables",
    "ConfigurableFieldSingleOption": "runnables",
    "ConfigurableFieldMultiOption": "runnables",
    "ConfigurableFieldSpec": "runnables",
    "add": "runnables",
    "aadd": "runnables",
    "RunnableWithMessageHistory": "runnables",
    "InMemoryChatMessageHistory": "chat_history",
    "BaseChatMessageHistory": "chat_history",
    "merge_configs": "runnables.config",
    "patch_config": "runnables.config",
    "get_config_list": "runnables.config",
    "Tool": "tools",
    # -- i15b: callback managers, globals, serialization, streaming views --
    "AsyncCallbackManager": "callbacks",
    "BaseCallbackManager": "callbacks",
    "CallbackManagerForChainGroup": "callbacks.manager",
    "handle_event": "callbacks.manager",
    "ahandle_event": "callbacks.manager",
    "trace_as_chain_group": "callbacks.manager",
    "atrace_as_chain_group": "callbacks.manager",
    "set_debug": "globals",
    "get_debug": "globals",
    "set_verbose": "globals",
    "get_verbose": "globals",
    "dumpd": "load",
    "dumps": "load",
    "loads": "load",
    "load": "load",
    "Serializable": "load",
    "ChatPromptValue": "prompt_values",
    "Document": "documents",
    "convert_to_messages": "messages",
    "RunLog": "tracers.log_stream",
    "RunLogPatch": "tracers.log_stream",
    # i16a: documents, embeddings, vector stores, messages, language models
    "BaseDocumentTransformer": "documents",
    "BaseDocumentCompressor": "documents",
    "Embeddings": "embeddings",
    "FakeEmbeddings": "embeddings",
    "DeterministicFakeEmbedding": "embeddings",
    "VectorStore": "vectorstores",
    "InMemoryVectorStore": "vectorstores",
    "VectorStoreRetriever": "vectorstores",
    "maximal_marginal_relevance": "vectorstores.utils",
    "format_document": "prompts",
    "aformat_document": "prompts",
    "SemanticSimilarityExampleSelector": "example_selectors.semantic_similarity",
    "MaxMarginalRelevanceExampleSelector": "example_selectors.semantic_similarity",
    "HumanMessageChunk": "messages",
    "RemoveMessage": "messages",
    "BaseMessage": "messages",
    "trim_messages": "messages",
    "filter_messages": "messages",
    "merge_message_runs": "messages",
    "convert_to_openai_messages": "messages",
    "message_chunk_to_message": "messages",
    "get_buffer_string": "messages",
    "add_usage": "messages.ai",
    "subtract_usage": "messages.ai",
    "InputTokenDetails": "messages",
    "OutputTokenDetails": "messages",
    "KNOWN_BLOCK_TYPES": "messages.content",
    "is_data_content_block": "messages",
    "convert_to_openai_data_block": "messages",
    "convert_to_openai_image_block": "messages",
    "count_tokens_approximately": "messages.utils",
    "create_text_block": "messages.content",
    "create_image_block": "messages.content",
    "create_file_block": "messages.content",
    "BaseCache": "caches",
    "InMemoryCache": "caches",
    "set_llm_cache": "globals",
    "get_llm_cache": "globals",
    "BaseRateLimiter": "rate_limiters",
    "InMemoryRateLimiter": "rate_limiters",
    "FakeStreamingListLLM": "language_models",
    "FakeListLLMError": "language_models.fake",
    "ParrotFakeChatModel": "language_models",
    "FakeMessagesListChatModel": "language_models",
    # i19
    # -- lost in the merge of the branches' blocks
    "ToolMessage": "messages",
    "tool": "tools",
    "StructuredTool": "tools",
    "BaseRetriever": "retrievers",
    # -- f21: differences left after issues 15 and 21
    "BaseTool": "tools",
    "convert_runnable_to_tool": "tools",
}


def load(lib_name: str, name: str) -> Any:
    """`name` from `lib_name`. The one escape hatch: while runwire lacks a module or a name at
    import, its cases are skipped with the missing name in the reason (langchain-core must have it).
    """
    module_name = f"{lib_name}.{_WHERE[name]}"
    try:
        return getattr(importlib.import_module(module_name), name)
    except (ImportError, AttributeError) as exc:
        missing = getattr(exc, "name", None) or ""
        if lib_name == "runwire" and (isinstance(exc, AttributeError) or missing.startswith("runwire")):
            pytest.skip(f"runwire does not provide {module_name}.{name} yet ({exc})")
        raise


# ---------------------------------------------------------------------------------------------
# Recorded events and their rendering


@dataclass(frozen=True)
class Event:
    """One handler call: what arrived, as it arrived (tags and metadata copied at call time)."""

    handler: str
    kind: str  # the method name without "on_": "chain_start", "llm_end", ...
    run_id: UUID | None
    parent_run_id: UUID | None
    name: str | None  # the `name=` keyword as passed (None when absent)
    tags: list[str] | None
    metadata: dict[str, Any] | None
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    thread: str = ""
    loop: Any = None  # the running event loop the handler was called on, if any

    @property
    def is_start(self) -> bool:
        return self.kind.endswith("_start")

    @property
    def is_terminal(self) -> bool:
        return self.kind.endswith(("_end", "_error"))

    @property
    def label(self) -> str | None:
        """What the trace shows as the event's name: the run name on starts (the `name=` keyword,
        else `serialized['name']`), the event name of a custom event, nothing otherwise."""
        if self.kind == "custom_event":
            return str(self.args[0])
        if self.is_start:
            serialized = self.args[0] if self.args else None
            if self.name:
                return self.name
            if isinstance(serialized, dict) and serialized.get("name"):
                return str(serialized["name"])
            return "?"
        return None


class Trace(list[Event]):
    """Events in arrival order, with renderings that hide the random run ids."""

    def ids(self) -> dict[UUID, str]:
        """Run ids mapped to R1, R2, ... in order of first appearance (run id before parent)."""
        out: dict[UUID, str] = {}
        for event in self:
            for run_id in (event.run_id, event.parent_run_id):
                if run_id is not None and run_id not in out:
                    out[run_id] = f"R{len(out) + 1}"
        return out

    def lines(self, *, labels: bool = False) -> list[str]:
        """`"chain_start RunnableSequence R1<-None []"`, one per event (`"R: ..."` with labels)."""
        ids = self.ids()
        out = []
        for event in self:
            head = f"{event.handler}: " if labels else ""
            name = f" {event.label}" if event.label is not None else ""
            run = ids[event.run_id] if event.run_id is not None else "None"
            parent = ids[event.parent_run_id] if event.parent_run_id is not None else "None"
            out.append(f"{head}{event.kind}{name} {run}<-{parent} {event.tags!r}")
        return out

    def kinds(self) -> list[str]:
        return [event.kind for event in self]

    def of(self, *kinds: str) -> Trace:
        return Trace(event for event in self if event.kind in kinds)

    def starts(self) -> Trace:
        return Trace(event for event in self if event.is_start)

    def tree(self, *, sort: bool = False, inputs: bool = False) -> list[str]:
        """The run tree, one line per run: `"  name [tags] -> chain_end"`, children indented
        under their parent in start order (or sorted, for runs that execute concurrently).
        A run without a terminal event shows `-> NO END`; one with two shows both."""
        starts = self.starts()
        known = {event.run_id for event in starts}
        terminals: dict[UUID | None, list[str]] = {}
        for event in self:
            if event.is_terminal:
                terminals.setdefault(event.run_id, []).append(event.kind)
        children: dict[UUID | None, list[Event]] = {}
        for event in starts:
            parent = event.parent_run_id if event.parent_run_id in known else None
            children.setdefault(parent, []).append(event)

        def line(event: Event) -> str:
            shown = f" input={event.args[1]!r}" if inputs and event.kind == "chain_start" else ""
            ends = ", ".join(terminals.get(event.run_id, [])) or "NO END"
            return f"{event.label} {event.tags!r}{shown} -> {ends}"

        out: list[str] = []

        def walk(parent: UUID | None, depth: int) -> None:
            kids = children.get(parent, [])
            if sort:
                kids = sorted(kids, key=line)
            for kid in kids:
                out.append("  " * depth + line(kid))
                walk(kid.run_id, depth + 1)

        walk(None, 0)
        return out


# ---------------------------------------------------------------------------------------------
# Recording handlers, built per library from its own base classes


def _current_loop() -> Any:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _recorder_classes(base: type, async_base: type) -> tuple[type, type]:
    class Recorder(base):  # type: ignore[misc, valid-type]
        """Records every event. `log`, when given, is a Trace shared with other recorders."""

        def __init__(self, label: str = "H", log: Trace | None = None, *, run_inline: bool = False) -> None:
            super().__init__()
            self.label = label
            self.events = Trace()
            self.log = log
            self.run_inline = run_inline

        def record(self, kind: str, *args: Any, **kwargs: Any) -> None:
            tags = kwargs.get("tags")
            metadata = kwargs.get("metadata")
            event = Event(
                handler=self.label,
                kind=kind,
                run_id=kwargs.get("run_id"),
                parent_run_id=kwargs.get("parent_run_id"),
                name=kwargs.get("name"),
                tags=list(tags) if tags is not None else None,
                metadata=dict(metadata) if metadata is not None else None,
                args=args,
                kwargs=kwargs,
                thread=threading.current_thread().name,
                loop=_current_loop(),
            )
            self.events.append(event)
            if self.log is not None:
                self.log.append(event)

        def on_llm_start(self, serialized: Any, prompts: Any, **kwargs: Any) -> None:
            self.record("llm_start", serialized, prompts, **kwargs)

        def on_chat_model_start(self, serialized: Any, messages: Any, **kwargs: Any) -> None:
            self.record("chat_model_start", serialized, messages, **kwargs)

        def on_llm_new_token(self, token: Any, **kwargs: Any) -> None:
            self.record("llm_new_token", token, **kwargs)

        def on_llm_end(self, response: Any, **kwargs: Any) -> None:
            self.record("llm_end", response, **kwargs)

        def on_llm_error(self, error: BaseException, **kwargs: Any) -> None:
            self.record("llm_error", error, **kwargs)

        def on_chain_start(self, serialized: Any, inputs: Any, **kwargs: Any) -> None:
            self.record("chain_start", serialized, inputs, **kwargs)

        def on_chain_end(self, outputs: Any, **kwargs: Any) -> None:
            self.record("chain_end", outputs, **kwargs)

        def on_chain_error(self, error: BaseException, **kwargs: Any) -> None:
            self.record("chain_error", error, **kwargs)

        def on_agent_action(self, action: Any, **kwargs: Any) -> None:
            self.record("agent_action", action, **kwargs)

        def on_agent_finish(self, finish: Any, **kwargs: Any) -> None:
            self.record("agent_finish", finish, **kwargs)

        def on_tool_start(self, serialized: Any, input_str: Any, **kwargs: Any) -> None:
            self.record("tool_start", serialized, input_str, **kwargs)

        def on_tool_end(self, output: Any, **kwargs: Any) -> None:
            self.record("tool_end", output, **kwargs)

        def on_tool_error(self, error: BaseException, **kwargs: Any) -> None:
            self.record("tool_error", error, **kwargs)

        def on_retriever_start(self, serialized: Any, query: Any, **kwargs: Any) -> None:
            self.record("retriever_start", serialized, query, **kwargs)

        def on_retriever_end(self, documents: Any, **kwargs: Any) -> None:
            self.record("retriever_end", documents, **kwargs)

        def on_retriever_error(self, error: BaseException, **kwargs: Any) -> None:
            self.record("retriever_error", error, **kwargs)

        def on_text(self, text: Any, **kwargs: Any) -> None:
            self.record("text", text, **kwargs)

        def on_retry(self, retry_state: Any, **kwargs: Any) -> None:
            self.record("retry", retry_state, **kwargs)

        def on_custom_event(self, name: Any, data: Any, **kwargs: Any) -> None:
            self.record("custom_event", name, data, **kwargs)

        def on_stream_event(self, event: Any, **kwargs: Any) -> None:
            self.record("stream_event", event, **kwargs)

    class AsyncRecorder(async_base):  # type: ignore[misc, valid-type]
        """The async twin of Recorder: every method is a coroutine function."""

        def __init__(self, label: str = "A", log: Trace | None = None, *, run_inline: bool = False) -> None:
            super().__init__()
            self.label = label
            self.events = Trace()
            self.log = log
            self.run_inline = run_inline

        record = Recorder.record

        async def on_llm_start(self, serialized: Any, prompts: Any, **kwargs: Any) -> None:
            self.record("llm_start", serialized, prompts, **kwargs)

        async def on_chat_model_start(self, serialized: Any, messages: Any, **kwargs: Any) -> None:
            self.record("chat_model_start", serialized, messages, **kwargs)

        async def on_llm_new_token(self, token: Any, **kwargs: Any) -> None:
            self.record("llm_new_token", token, **kwargs)

        async def on_llm_end(self, response: Any, **kwargs: Any) -> None:
            self.record("llm_end", response, **kwargs)

        async def on_llm_error(self, error: BaseException, **kwargs: Any) -> None:
            self.record("llm_error", error, **kwargs)

        async def on_chain_start(self, serialized: Any, inputs: Any, **kwargs: Any) -> None:
            self.record("chain_start", serialized, inputs, **kwargs)

        async def on_chain_end(self, outputs: Any, **kwargs: Any) -> None:
            self.record("chain_end", outputs, **kwargs)

        async def on_chain_error(self, error: BaseException, **kwargs: Any) -> None:
            self.record("chain_error", error, **kwargs)

        async def on_agent_action(self, action: Any, **kwargs: Any) -> None:
            self.record("agent_action", action, **kwargs)

        async def on_agent_finish(self, finish: Any, **kwargs: Any) -> None:
            self.record("agent_finish", finish, **kwargs)

        async def on_tool_start(self, serialized: Any, input_str: Any, **kwargs: Any) -> None:
            self.record("tool_start", serialized, input_str, **kwargs)

        async def on_tool_end(self, output: Any, **kwargs: Any) -> None:
            self.record("tool_end", output, **kwargs)

        async def on_tool_error(self, error: BaseException, **kwargs: Any) -> None:
            self.record("tool_error", error, **kwargs)

        async def on_retriever_start(self, serialized: Any, query: Any, **kwargs: Any) -> None:
            self.record("retriever_start", serialized, query, **kwargs)

        async def on_retriever_end(self, documents: Any, **kwargs: Any) -> None:
            self.record("retriever_end", documents, **kwargs)

        async def on_retriever_error(self, error: BaseException, **kwargs: Any) -> None:
            self.record("retriever_error", error, **kwargs)

        async def on_text(self, text: Any, **kwargs: Any) -> None:
            self.record("text", text, **kwargs)

        async def on_retry(self, retry_state: Any, **kwargs: Any) -> None:
            self.record("retry", retry_state, **kwargs)

        async def on_custom_event(self, name: Any, data: Any, **kwargs: Any) -> None:
            self.record("custom_event", name, data, **kwargs)

        async def on_stream_event(self, event: Any, **kwargs: Any) -> None:
            self.record("stream_event", event, **kwargs)

    return Recorder, AsyncRecorder


class Lib:
    """The names the suite uses, from one library, loaded on first use (see `load`)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._recorders: tuple[type, type] | None = None

    def __getattr__(self, attr: str) -> Any:
        if attr not in _WHERE:
            raise AttributeError(f"the suite's namespace has no {attr!r}; add it to _WHERE")
        value = load(self.name, attr)
        setattr(self, attr, value)
        return value

    def __repr__(self) -> str:
        return f"Lib({self.name!r})"

    @property
    def Recorder(self) -> Any:
        return self._recorder_pair()[0]

    @property
    def AsyncRecorder(self) -> Any:
        return self._recorder_pair()[1]

    def _recorder_pair(self) -> tuple[type, type]:
        if self._recorders is None:
            self._recorders = _recorder_classes(self.BaseCallbackHandler, self.AsyncCallbackHandler)
        return self._recorders

    # -- the pipelines the reference note experiments with -------------------------------------

    def prompt(self) -> Any:
        """`ChatPromptTemplate.from_template("What is 1 + {number}?")` (§3)."""
        return self.ChatPromptTemplate.from_template("What is 1 + {number}?")

    def seed_chain(self, **model_kwargs: Any) -> Any:
        """The page's chain with the reference's fake model: prompt | FakeListChatModel (§3.1)."""
        return self.prompt() | self.FakeListChatModel(responses=["1 + 2 = 3"], **model_kwargs)

    def lambdas(self, *funcs: Callable[[Any], Any]) -> list[Any]:
        return [self.RunnableLambda(func) for func in funcs]


@pytest.fixture(params=LIBS)
def lib(request: pytest.FixtureRequest) -> Lib:
    """The same names from langchain-core (the reference) or runwire."""
    return Lib(request.param)


@pytest.fixture
def runwire() -> Lib:
    """runwire's names, for runwire-only tests."""
    return Lib("runwire")


@pytest.fixture
def langchain() -> Lib:
    """langchain-core's names, for tests that hand langchain objects to runwire."""
    return Lib("langchain_core")


# ---------------------------------------------------------------------------------------------
# invoke vs ainvoke, from a sync test (so `invoke` runs with no event loop in the thread)


@dataclass
class Runner:
    """Calls a runnable the way `mode` says: `invoke`/`batch`, or `ainvoke`/`abatch` under
    `asyncio.run`."""

    mode: str

    @property
    def is_async(self) -> bool:
        return self.mode == "ainvoke"

    def __call__(self, runnable: Any, input: Any, config: Any = None, **kwargs: Any) -> Any:
        if self.is_async:
            return asyncio.run(runnable.ainvoke(input, config, **kwargs))
        return runnable.invoke(input, config, **kwargs)

    def batch(self, runnable: Any, inputs: Iterable[Any], config: Any = None, **kwargs: Any) -> Any:
        if self.is_async:
            return asyncio.run(runnable.abatch(list(inputs), config, **kwargs))
        return runnable.batch(list(inputs), config, **kwargs)


@pytest.fixture(params=["invoke", "ainvoke"])
def run(request: pytest.FixtureRequest) -> Runner:
    """`run(runnable, input, config)` through `invoke`, or through `ainvoke`."""
    return Runner(request.param)
