"""The classic agent: `create_tool_calling_agent(llm, tools, prompt)` + `AgentExecutor`.

`create_tool_calling_agent` builds the runnable langchain builds: the steps so far formatted into
`agent_scratchpad`, then the prompt, the model with the tools bound, and `ToolsAgentOutputParser`
(tool calls -> actions, no calls -> finish). `AgentExecutor` runs it in the agent loop:
`invoke({"input": ...})` returns `{"input": ..., "output": ...}` (plus `intermediate_steps` with
`return_intermediate_steps=True`), and `stream` yields `{"actions"|"steps"|"output": ...,
"messages": [...]}` chunks as langchain's does.

Where runwire differs from langchain's executor, on purpose: tools are invoked with their
ToolCall (so tool events carry `tool_call_id` and observations are ToolMessages), the calls of
one turn run concurrently, and a tool that raises is answered with an error ToolMessage
(`handle_tool_errors=True`, as in langchain 1.x's tool node) instead of ending the run.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from runwire.agents.loop import Emit, Outcome, Settings, check_early_stopping
from runwire.agents.runner import AgentRunner
from runwire.agents.schema import AgentAction, AgentFinish, AgentStep
from runwire.agents.scratchpad import format_to_tool_messages, parse_ai_message_to_tool_actions
from runwire.output_parsers.base import BaseOutputParser
from runwire.runnables.base import Runnable


class ToolsAgentOutputParser(BaseOutputParser[Any]):
    """A tool-calling model's reply as agent actions (one per tool call) or an `AgentFinish`."""

    def _parse_output(self, output: Any) -> Any:
        return parse_ai_message_to_tool_actions(output)

    def parse_result(self, result: list[Any], *, partial: bool = False) -> Any:
        message = getattr(result[0], "message", None)
        if message is None:
            raise ValueError("ToolsAgentOutputParser reads chat generations (messages), not text.")
        return parse_ai_message_to_tool_actions(message)

    def parse(self, text: str) -> Any:
        raise ValueError("ToolsAgentOutputParser reads messages (their tool calls), not text.")

    @property
    def _type(self) -> str:
        return "tools-agent-output-parser"


def create_tool_calling_agent(
    llm: Any,
    tools: Sequence[Any],
    prompt: Any,
    *,
    message_formatter: Any = format_to_tool_messages,
) -> Runnable[Any, Any]:
    """The agent runnable for `AgentExecutor`: `prompt` must have an `agent_scratchpad`
    placeholder, where the steps so far go as messages."""
    from runwire.runnables import RunnableLambda, RunnablePassthrough

    known = {
        *prompt.input_variables,
        *(getattr(prompt, "optional_variables", None) or ()),
        *(getattr(prompt, "partial_variables", None) or {}),
    }
    if "agent_scratchpad" not in known:
        raise ValueError(
            "Prompt missing required variables: {'agent_scratchpad'}. Add "
            "MessagesPlaceholder('agent_scratchpad') (or ('placeholder', '{agent_scratchpad}')) to it."
        )
    if not hasattr(llm, "bind_tools"):
        raise ValueError("This function requires a bind_tools() method be implemented on the LLM.")
    bound = llm.bind_tools(tools)
    scratchpad: Runnable[Any, Any] = RunnableLambda(lambda x: message_formatter(x["intermediate_steps"]))
    agent: Runnable[Any, Any] = RunnablePassthrough.assign(agent_scratchpad=scratchpad) | prompt | bound
    return agent | ToolsAgentOutputParser()


class AgentExecutor(AgentRunner):
    """Runs an agent (a runnable returning actions or a finish) with its tools until it finishes."""

    def __init__(
        self,
        *,
        agent: Runnable[Any, Any],
        tools: Sequence[Any],
        return_intermediate_steps: bool = False,
        max_iterations: int | None = 15,
        max_execution_time: float | None = None,
        early_stopping_method: str = "force",
        handle_parsing_errors: Any = False,
        handle_tool_errors: Any = True,
        trim_intermediate_steps: int = -1,
        callbacks: Any = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        verbose: bool = False,
        name: str | None = None,
    ) -> None:
        if not isinstance(agent, Runnable):
            raise TypeError(
                f"agent must be a runnable returning AgentAction(s) or an AgentFinish (e.g. from "
                f"create_tool_calling_agent), got {type(agent).__name__}."
            )
        check_early_stopping(early_stopping_method)
        by_name = {tool.name: tool for tool in tools}
        if len(by_name) != len(tools):
            raise ValueError(f"tool names must be unique, got {[tool.name for tool in tools]}")
        self.agent = agent
        self.tools = list(tools)
        self.return_intermediate_steps = return_intermediate_steps
        self.max_iterations = max_iterations
        self.max_execution_time = max_execution_time
        self.early_stopping_method = early_stopping_method
        self.handle_parsing_errors = handle_parsing_errors
        self.handle_tool_errors = handle_tool_errors
        self.trim_intermediate_steps = trim_intermediate_steps
        self.callbacks = callbacks
        if verbose:
            from runwire.callbacks.stdout import StdOutCallbackHandler

            self.callbacks = [*(callbacks or ()), StdOutCallbackHandler()]
        self.tags = tags
        self.metadata = metadata
        self.verbose = verbose
        self.name = name
        self._tools_by_name = by_name

    @classmethod
    def from_agent_and_tools(
        cls, agent: Runnable[Any, Any], tools: Sequence[Any], **kwargs: Any
    ) -> AgentExecutor:
        """`AgentExecutor(agent=agent, tools=tools, **kwargs)`."""
        return cls(agent=agent, tools=tools, **kwargs)

    def _settings(self) -> Settings:
        return Settings(
            tools=self._tools_by_name,
            max_iterations=self.max_iterations,
            max_execution_time=self.max_execution_time,
            handle_parsing_errors=self.handle_parsing_errors,
            early_stopping_method=self.early_stopping_method,
            clock=time.monotonic if self.max_execution_time is not None else None,
        )

    def _prepare_input(self, input: Any) -> dict[str, Any]:
        if isinstance(input, dict):
            return input
        if isinstance(input, str):
            return {"input": input}
        raise TypeError(
            f"AgentExecutor takes a dict of inputs (e.g. {{'input': '...'}}), got {type(input).__name__}."
        )

    def _agent_input(
        self, inputs: dict[str, Any], steps: tuple[tuple[AgentAction, Any], ...]
    ) -> dict[str, Any]:
        kept = list(steps)
        if self.trim_intermediate_steps > 0:
            kept = kept[-self.trim_intermediate_steps :]
        elif self.trim_intermediate_steps == 0:
            kept = []
        return {**inputs, "intermediate_steps": kept}

    def _plan(self, inputs: Any, steps: tuple[tuple[AgentAction, Any], ...], config: Any) -> Any:
        return self.agent.invoke(self._agent_input(inputs, steps), config)

    async def _aplan(self, inputs: Any, steps: tuple[tuple[AgentAction, Any], ...], config: Any) -> Any:
        return await self.agent.ainvoke(self._agent_input(inputs, steps), config)

    def _output(self, inputs: Any, outcome: Outcome) -> dict[str, Any]:
        output = {**inputs, **outcome.finish.return_values}
        if self.return_intermediate_steps:
            output["intermediate_steps"] = [(step.action, step.observation) for step in outcome.steps]
        return output

    def _chunk(self, inputs: Any, emitted: Emit) -> dict[str, Any]:
        value = emitted.value
        if emitted.kind == "action":
            return {"actions": [value], "messages": value.messages}
        if emitted.kind == "step":
            return {"steps": [value], "messages": value.messages}
        finish: AgentFinish = value
        return {**finish.return_values, "messages": finish.messages}

    def __repr__(self) -> str:
        return f"AgentExecutor(agent={self.agent!r}, tools={[t.name for t in self.tools]!r})"


__all__ = [
    "AgentExecutor",
    "AgentStep",
    "ToolsAgentOutputParser",
    "create_tool_calling_agent",
]
