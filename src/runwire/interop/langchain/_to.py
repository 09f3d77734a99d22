"""`to_langchain`: runwire runnables, chat models and tools as langchain-core objects, so that
langchain's `|`, LangGraph's `add_node`, `ToolNode` and `create_react_agent` accept them.

A runwire runnable becomes a thin langchain `Runnable` that opens no langchain run: the runwire
runs attach under whatever langchain run called it (langchain hands over its `CallbackManager`,
which runwire accepts), so langchain's handlers hear them as langchain-core objects. A chat model
becomes a langchain `BaseChatModel` and a tool a langchain `BaseTool`: langchain owns the model or
tool run (ids, streaming, LangGraph's message stream) and runwire supplies the body, so each
appears once. Not here: the other direction (see `_from`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel as LcBaseChatModel
from langchain_core.messages import AIMessageChunk as LcAIMessageChunk
from langchain_core.messages import BaseMessage as LcBaseMessage
from langchain_core.outputs import ChatGenerationChunk as LcChatGenerationChunk
from langchain_core.outputs import ChatResult as LcChatResult
from langchain_core.runnables import Runnable as LcRunnable
from langchain_core.runnables import RunnableConfig as LcRunnableConfig
from langchain_core.tools import BaseTool as LcBaseTool
from pydantic import ConfigDict

from runwire.interop.langchain._convert import from_lc, to_lc
from runwire.language_models.chat_models import BaseChatModel
from runwire.runnables.base import Runnable
from runwire.tools.base import BaseTool


class RunwireRunnable(LcRunnable[Any, Any]):
    """A runwire runnable as a langchain-core `Runnable` (see `to_langchain`)."""

    def __init__(self, runnable: Runnable[Any, Any]) -> None:
        self.runnable = runnable
        self.name = runnable.get_name()

    def __repr__(self) -> str:
        return f"to_langchain({self.runnable!r})"

    def invoke(self, input: Any, config: LcRunnableConfig | None = None, **kwargs: Any) -> Any:
        return to_lc(self.runnable.invoke(from_lc(input), _rw_config(config), **kwargs))

    async def ainvoke(self, input: Any, config: LcRunnableConfig | None = None, **kwargs: Any) -> Any:
        return to_lc(await self.runnable.ainvoke(from_lc(input), _rw_config(config), **kwargs))

    def stream(self, input: Any, config: LcRunnableConfig | None = None, **kwargs: Any) -> Iterator[Any]:
        for chunk in self.runnable.stream(from_lc(input), _rw_config(config), **kwargs):
            yield to_lc(chunk)

    async def astream(
        self, input: Any, config: LcRunnableConfig | None = None, **kwargs: Any
    ) -> AsyncIterator[Any]:
        async for chunk in self.runnable.astream(from_lc(input), _rw_config(config), **kwargs):
            yield to_lc(chunk)

    def transform(
        self, input: Iterator[Any], config: LcRunnableConfig | None = None, **kwargs: Any
    ) -> Iterator[Any]:
        for chunk in self.runnable.transform(map(from_lc, input), _rw_config(config), **kwargs):
            yield to_lc(chunk)

    async def atransform(
        self, input: AsyncIterator[Any], config: LcRunnableConfig | None = None, **kwargs: Any
    ) -> AsyncIterator[Any]:
        async def converted() -> AsyncIterator[Any]:
            async for chunk in input:
                yield from_lc(chunk)

        async for chunk in self.runnable.atransform(converted(), _rw_config(config), **kwargs):
            yield to_lc(chunk)


def _rw_config(config: Any) -> Any:
    # runwire reads langchain's CallbackManager and config keys as they are; with no config it
    # finds langchain's current run through langchain's context variable.
    return config


class RunwireChatModel(LcBaseChatModel):
    """A runwire chat model as a langchain `BaseChatModel`: langchain opens the model run (so its
    handlers, streaming and message ids work as for any langchain model); runwire generates."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    model: Any

    @property
    def _llm_type(self) -> str:
        return f"runwire-{getattr(self.model, '_llm_type', type(self.model).__name__)}"

    def get_name(self, suffix: str | None = None, *, name: str | None = None) -> str:
        return name or self.name or self.model.get_name(suffix)

    def _kwargs(self, stop: list[str] | None, kwargs: dict[str, Any]) -> dict[str, Any]:
        if getattr(self.model, "_takes_run_manager", True):
            kwargs["run_manager"] = None  # langchain's run reports; runwire's must not report twice
        return {"stop": stop, **kwargs}

    def _generate(
        self,
        messages: list[LcBaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> LcChatResult:
        result = self.model._generate(from_lc(messages), **self._kwargs(stop, kwargs))
        converted: LcChatResult = to_lc(result)
        return converted

    async def _agenerate(
        self,
        messages: list[LcBaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> LcChatResult:
        result = await self.model._agenerate(from_lc(messages), **self._kwargs(stop, kwargs))
        converted: LcChatResult = to_lc(result)
        return converted

    def _stream(
        self,
        messages: list[LcBaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[LcChatGenerationChunk]:
        if type(self.model)._stream is BaseChatModel._stream:  # cannot stream: one whole chunk
            yield _whole_chunk(self._generate(messages, stop, None, **kwargs))
            return
        # langchain fires on_llm_new_token for each chunk and gives them its run's message id.
        for chunk in self.model._stream(from_lc(messages), **self._kwargs(stop, kwargs)):
            yield to_lc(chunk)

    async def _astream(
        self,
        messages: list[LcBaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[LcChatGenerationChunk]:
        if type(self.model)._stream is BaseChatModel._stream and (
            type(self.model)._astream is BaseChatModel._astream
        ):
            yield _whole_chunk(await self._agenerate(messages, stop, None, **kwargs))
            return
        async for chunk in self.model._astream(from_lc(messages), **self._kwargs(stop, kwargs)):
            yield to_lc(chunk)

    def bind_tools(self, tools: Any, *, tool_choice: Any = None, **kwargs: Any) -> Any:
        """Offer `tools` (langchain or runwire tools, pydantic classes, functions, OpenAI dicts)."""
        from langchain_core.utils.function_calling import convert_to_openai_tool

        from runwire.language_models.tool_binding import normalize_tool_choice

        strict = kwargs.pop("strict", None)
        formatted = [
            convert_to_openai_tool(to_langchain(t) if isinstance(t, BaseTool) else t, strict=strict)
            for t in tools
        ]
        names = [t["function"]["name"] for t in formatted if t.get("type") == "function"]
        choice = normalize_tool_choice(tool_choice, names)
        if choice is not None:
            kwargs["tool_choice"] = choice
        return self.bind(tools=formatted, **kwargs)


def _whole_chunk(result: LcChatResult) -> LcChatGenerationChunk:
    message = result.generations[0].message
    fields = message.model_dump(exclude={"type"})
    return LcChatGenerationChunk(message=LcAIMessageChunk(**fields, chunk_position="last"))


class RunwireTool(LcBaseTool):
    """A runwire tool as a langchain `BaseTool`: langchain opens the tool run (so `ToolNode` and
    agents treat it as their own); the runwire tool's body runs inside it."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    tool: Any

    def _run(self, *args: Any, config: LcRunnableConfig, run_manager: Any = None, **kwargs: Any) -> Any:
        return to_lc(self.tool._execute(args, kwargs, _child(config, run_manager), None))

    async def _arun(
        self, *args: Any, config: LcRunnableConfig, run_manager: Any = None, **kwargs: Any
    ) -> Any:
        return to_lc(await self.tool._aexecute(args, kwargs, _child(config, run_manager), None))


def _child(config: Any, run_manager: Any) -> Any:
    return {**config, "callbacks": run_manager.get_child()} if run_manager else config


def _tool(tool: BaseTool) -> RunwireTool:
    from runwire.utils.function_calling import convert_to_openai_tool

    schema = convert_to_openai_tool(tool)["function"]
    return RunwireTool(
        tool=tool,
        name=tool.name,
        description=tool.description or schema.get("description", ""),
        args_schema=schema.get("parameters") or {"type": "object", "properties": {}},
        return_direct=getattr(tool, "return_direct", False),
        response_format=getattr(tool, "response_format", "content"),
    )


def to_langchain(runnable: Any) -> Any:
    """`runnable` as a langchain-core object: a runwire chat model as a langchain `BaseChatModel`,
    a runwire tool as a `BaseTool`, any other runwire runnable as a langchain `Runnable`. A
    `from_langchain` wrapper gives back the langchain object it wraps."""
    from runwire.interop.langchain._from import LangChainRunnable

    if isinstance(runnable, LangChainRunnable):
        return runnable.runnable
    if isinstance(runnable, LcRunnable):
        return runnable
    if isinstance(runnable, BaseChatModel):
        return RunwireChatModel(model=runnable, name=runnable.get_name())
    if isinstance(runnable, BaseTool):
        return _tool(runnable)
    if isinstance(runnable, Runnable):
        return RunwireRunnable(runnable)
    raise TypeError(
        f"to_langchain expects a runwire Runnable, chat model or tool, got "
        f"{type(runnable).__module__}.{type(runnable).__qualname__}."
    )
