"""`create_agent(model, tools, system_prompt=...)`: the langchain 1.x agent shape, on runwire's loop.

The result is a runnable over `{"messages": [...]}`: the model (with the tools bound) reads the
system prompt and the conversation, each tool call is answered with a ToolMessage, and the loop
repeats until the model answers without calling a tool; `invoke` returns `{"messages": [every
message, input included]}`. Its run is one chain run named `name` (default "Agent") whose
children are the model runs and the tool runs, in call order (langchain 1.x runs a LangGraph
graph instead, with a node run around each step). `stream` yields `{"model": {"messages": [...]}}`
and `{"tools": {"messages": [...]}}` updates, as LangGraph's "updates" mode does.
Not here: middleware, `response_format`, checkpointers (LangGraph features runwire leaves out).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from runwire.agents.loop import STOPPED, Emit, Outcome, Settings
from runwire.agents.runner import AgentRunner
from runwire.agents.schema import AgentAction, AgentFinish, ToolAgentAction
from runwire.agents.scratchpad import format_to_tool_messages, parse_ai_message_to_tool_actions
from runwire.messages import AIMessage, BaseMessage, SystemMessage, convert_to_messages


class ToolCallingAgent(AgentRunner):
    """A model calling tools in a loop over a conversation; made by `create_agent`."""

    def __init__(
        self,
        model: Any,
        tools: Sequence[Any],
        *,
        system_prompt: str | SystemMessage | None = None,
        name: str | None = None,
        max_iterations: int | None = 25,
        handle_tool_errors: Any = True,
    ) -> None:
        from runwire.tools import BaseTool, tool

        made = [t if isinstance(t, BaseTool) else tool(t) for t in tools]
        self.tools = made
        self._tools_by_name = {t.name: t for t in made}
        self.model = model
        self.bound = model.bind_tools(made) if made else model
        if isinstance(system_prompt, str):
            system_prompt = SystemMessage(content=system_prompt)
        self.system_prompt = system_prompt
        self.name = name or "Agent"
        self.max_iterations = max_iterations
        self.handle_tool_errors = handle_tool_errors

    def _settings(self) -> Settings:
        return Settings(tools=self._tools_by_name, max_iterations=self.max_iterations)

    def _prepare_input(self, input: Any) -> list[BaseMessage]:
        if not isinstance(input, dict) or "messages" not in input:
            raise TypeError(
                "an agent from create_agent takes {'messages': [...]}, e.g. "
                f"{{'messages': [('user', 'hi')]}}; got {type(input).__name__}: {input!r:.100}"
            )
        return convert_to_messages(input["messages"])

    def _conversation(
        self, messages: list[BaseMessage], steps: tuple[tuple[AgentAction, Any], ...]
    ) -> list[Any]:
        head = [self.system_prompt] if self.system_prompt is not None else []
        return [*head, *messages, *format_to_tool_messages(steps)]

    def _plan(self, inputs: Any, steps: tuple[tuple[AgentAction, Any], ...], config: Any) -> Any:
        message = self.bound.invoke(self._conversation(inputs, steps), config)
        return _decide(message)

    async def _aplan(self, inputs: Any, steps: tuple[tuple[AgentAction, Any], ...], config: Any) -> Any:
        message = await self.bound.ainvoke(self._conversation(inputs, steps), config)
        return _decide(message)

    def _output(self, inputs: Any, outcome: Outcome) -> dict[str, Any]:
        steps = tuple((step.action, step.observation) for step in outcome.steps)
        messages = [*inputs, *format_to_tool_messages(steps), _final_message(outcome.finish)]
        return {"messages": messages}

    def _chunk(self, inputs: Any, emitted: Emit) -> dict[str, Any] | None:
        value = emitted.value
        if emitted.kind == "action":
            if isinstance(value, ToolAgentAction) and value.message_log:
                message = value.message_log[-1]
                # Parallel calls share one message: it is reported once, with the first call.
                first = next(c for c in (*message.tool_calls, *message.invalid_tool_calls))
                if first.get("id") == value.tool_call_id:
                    return {"model": {"messages": [message]}}
            return None
        if emitted.kind == "step":
            return {"tools": {"messages": format_to_tool_messages([(value.action, value.observation)])[-1:]}}
        return {"model": {"messages": [_final_message(value)]}}


def _decide(message: Any) -> Any:
    decision = parse_ai_message_to_tool_actions(message)
    if isinstance(decision, AgentFinish):
        # The final message itself is the answer (its id, metadata and usage are kept).
        return AgentFinish(return_values={"output": message.content, "message": message}, log=decision.log)
    return decision


def _final_message(finish: AgentFinish) -> AIMessage:
    message = finish.return_values.get("message")
    if isinstance(message, AIMessage):
        return message
    text = finish.return_values.get("output", STOPPED)
    return AIMessage(content=text if isinstance(text, str | list) else str(text))


def create_agent(
    model: Any,
    tools: Sequence[Any | Callable[..., Any]] | None = None,
    *,
    system_prompt: str | SystemMessage | None = None,
    name: str | None = None,
    max_iterations: int | None = 25,
    handle_tool_errors: Any = True,
) -> ToolCallingAgent:
    """An agent over `{"messages": [...]}` that calls `tools` (tools or plain functions) until
    the model answers without a tool call, or `max_iterations` model turns have run. `model` is
    a chat model, or a `"provider:model"` string resolved by `init_chat_model`."""
    if isinstance(model, str):
        from runwire.chat_models import init_chat_model

        model = init_chat_model(model)
    return ToolCallingAgent(
        model,
        list(tools or ()),
        system_prompt=system_prompt,
        name=name,
        max_iterations=max_iterations,
        handle_tool_errors=handle_tool_errors,
    )
