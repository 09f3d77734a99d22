"""The drivers of the agent loop: one chain run per agent call, sync and async twins side by side.

`AgentRunner` is the base of `AgentExecutor` and of `create_agent`'s runnable. It opens the run
(constructor `callbacks` are local to it, as for any chain), sends the loop's requests to the
agent, the tools and the run's handlers, and turns what the loop emits into stream chunks. The
run is current only while the loop works, never while a consumer holds a chunk. Tool calls of
one turn run concurrently (threads from the shared context-copying pool, or asyncio tasks), each
a child of the agent run; a tool that raises is answered with an error observation as
`handle_tool_errors` says, or its error ends the agent run. Subclasses say how to plan (ask the
model), how to shape the output and the stream chunks.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Generator, Iterator
from typing import Any

from runwire.agents.loop import (
    Announce,
    Emit,
    Outcome,
    Plan,
    RunTools,
    Settings,
    ToolRun,
    agent_loop,
    tool_error_answer,
)
from runwire.agents.schema import AgentAction, AgentFinish
from runwire.callbacks.context import enter_run, exit_run
from runwire.callbacks.manager import (
    AsyncCallbackManagerForChainRun,
    CallbackManagerForChainRun,
    open_run,
)
from runwire.exceptions import OutputParserException
from runwire.runnables.base import Runnable
from runwire.runnables.config import RunnableConfig, child_config, run_all


class _Result:
    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


class AgentRunner(Runnable[Any, Any]):
    """Runs the agent loop as one chain run. Subclasses implement `_settings`, `_plan`/`_aplan`,
    `_output` and `_chunk`."""

    callbacks: Any = None
    handle_tool_errors: Any = True

    # -- what a subclass decides -----------------------------------------------------------------

    def _settings(self) -> Settings:
        raise NotImplementedError

    def _prepare_input(self, input: Any) -> Any:
        return input

    def _plan(self, inputs: Any, steps: tuple[tuple[AgentAction, Any], ...], config: Any) -> Any:
        raise NotImplementedError

    async def _aplan(self, inputs: Any, steps: tuple[tuple[AgentAction, Any], ...], config: Any) -> Any:
        raise NotImplementedError

    def _output(self, inputs: Any, outcome: Outcome) -> Any:
        raise NotImplementedError

    def _chunk(self, inputs: Any, emitted: Emit) -> Any:
        """The stream chunk for an emitted record (None: nothing to yield)."""
        raise NotImplementedError

    # -- the drivers -------------------------------------------------------------------------------

    @staticmethod
    def _child(config: Any, run: Any) -> Any:
        return run.child_config() if run is not None else child_config(config, None)

    def _drive(self, inputs: Any, config: Any, run: Any) -> Generator[Any, None, None]:
        """Carry out the loop's requests; yield stream chunks, then a `_Result`."""
        loop = agent_loop(self._settings())
        reply: Any = None
        while True:
            try:
                request = loop.send(reply)
            except StopIteration as stop:
                yield _Result(self._output(inputs, stop.value))
                return
            reply = None
            if type(request) is Plan:
                try:
                    reply = self._plan(inputs, request.steps, self._child(config, run))
                except OutputParserException as exc:
                    reply = exc
            elif type(request) is RunTools:
                reply = self._run_tools(request.calls, config, run)
            elif type(request) is Announce:
                if run is not None:
                    _announce(run, request.event)
            else:
                assert type(request) is Emit
                chunk = self._chunk(inputs, request)
                if chunk is not None:
                    yield chunk

    async def _adrive(self, inputs: Any, config: Any, run: Any) -> AsyncGenerator[Any, None]:
        """Async `_drive`."""
        loop = agent_loop(self._settings())
        reply: Any = None
        while True:
            try:
                request = loop.send(reply)
            except StopIteration as stop:
                yield _Result(self._output(inputs, stop.value))
                return
            reply = None
            if type(request) is Plan:
                try:
                    reply = await self._aplan(inputs, request.steps, self._child(config, run))
                except OutputParserException as exc:
                    reply = exc
            elif type(request) is RunTools:
                reply = await self._arun_tools(request.calls, config, run)
            elif type(request) is Announce:
                if run is not None:
                    await _aannounce(run, request.event)
            else:
                assert type(request) is Emit
                chunk = self._chunk(inputs, request)
                if chunk is not None:
                    yield chunk

    def _run_tools(self, calls: tuple[ToolRun, ...], config: Any, run: Any) -> list[Any]:
        flag = self.handle_tool_errors

        def one(call: ToolRun) -> Any:
            if call.tool is None:
                return call.observation
            try:
                return call.tool.invoke(call.input, self._child(config, run))
            except Exception as exc:
                return tool_error_answer(exc, call.action, flag)

        results = run_all([lambda call=call: one(call) for call in calls])  # type: ignore[misc]
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return results

    async def _arun_tools(self, calls: tuple[ToolRun, ...], config: Any, run: Any) -> list[Any]:
        flag = self.handle_tool_errors

        async def one(call: ToolRun) -> Any:
            if call.tool is None:
                return call.observation
            try:
                return await call.tool.ainvoke(call.input, self._child(config, run))
            except Exception as exc:
                return tool_error_answer(exc, call.action, flag)

        if len(calls) == 1:
            return [await one(calls[0])]
        # Every call finishes (its run ends) before an error from one of them ends the agent run.
        results = await asyncio.gather(*(one(call) for call in calls), return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return results

    # -- invoke / ainvoke / stream / astream ------------------------------------------------------

    def _run_name(self, config: Any) -> str:
        return (config and config.get("run_name")) or self.get_name()

    def _open(self, config: Any, cls: type) -> Any:
        return open_run(cls, config, self.callbacks, self.tags, self.metadata)

    def invoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Any:
        """Run the agent to its final answer."""
        result: Any = None
        for item in self._stream_items(input, config):
            if type(item) is _Result:
                result = item.value
        return result

    async def ainvoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Any:
        """Async `invoke`."""
        result: Any = None
        async for item in self._astream_items(input, config):
            if type(item) is _Result:
                result = item.value
        return result

    def stream(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Iterator[Any]:
        """Yield a chunk per action, per step and for the final answer as the agent goes."""
        for item in self._stream_items(input, config):
            if type(item) is not _Result:
                yield item

    async def astream(
        self, input: Any, config: RunnableConfig | None = None, **kwargs: Any
    ) -> AsyncIterator[Any]:
        """Async `stream`."""
        async for item in self._astream_items(input, config):
            if type(item) is not _Result:
                yield item

    def _stream_items(self, input: Any, config: Any) -> Iterator[Any]:
        inputs = self._prepare_input(input)
        run = self._open(config, CallbackManagerForChainRun)
        if run is None:
            yield from self._drive(inputs, config, None)
            return
        run.fire_chain_start(self._serialized, input, self._run_name(config), None)
        body = self._drive(inputs, config, run)
        tap = run._dispatch.table.get("on_chain_stream")  # astream_events listens to chunks
        output: Any = None
        try:
            while True:
                token = enter_run(run)
                try:
                    item = next(body, None)
                finally:
                    exit_run(token)
                if item is None:
                    break
                if type(item) is _Result:
                    output = item.value
                elif tap:
                    run._fire("on_chain_stream", (item,))
                yield item
        except BaseException as exc:
            body.close()
            run.finish_error(exc)
            raise
        run.finish(output)

    async def _astream_items(self, input: Any, config: Any) -> AsyncIterator[Any]:
        inputs = self._prepare_input(input)
        run = self._open(config, AsyncCallbackManagerForChainRun)
        if run is None:
            async for item in self._adrive(inputs, config, None):
                yield item
            return
        await run.afire_start("on_chain_start", (self._serialized, input), self._run_name(config), None)
        body = self._adrive(inputs, config, run)
        tap = run._dispatch.table.get("on_chain_stream")
        output: Any = None
        try:
            while True:
                token = enter_run(run)
                try:
                    item = await anext(body, None)
                finally:
                    exit_run(token)
                if item is None:
                    break
                if type(item) is _Result:
                    output = item.value
                elif tap:
                    await run._afire("on_chain_stream", (item,))
                yield item
        except BaseException as exc:
            await body.aclose()
            await run.afinish_error(exc)
            raise
        await run.afinish(output)


def _announce(run: Any, event: AgentAction | AgentFinish) -> None:
    if isinstance(event, AgentFinish):
        run.on_agent_finish(event, color="green")
    else:
        run.on_agent_action(event, color="green")


async def _aannounce(run: Any, event: AgentAction | AgentFinish) -> None:
    if isinstance(event, AgentFinish):
        await run.on_agent_finish(event, color="green")
    else:
        await run.on_agent_action(event, color="green")
