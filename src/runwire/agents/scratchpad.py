"""Between a tool-calling model and the agent loop: its reply as actions, past steps as messages.

`parse_ai_message_to_tool_actions` reads an AIMessage: tool calls become `ToolAgentAction`s
(unparseable ones `InvalidToolAgentAction`s), no calls an `AgentFinish` with the content.
`format_to_tool_messages` turns the steps so far back into the conversation the model sees next:
each AI message once, then a ToolMessage answering each of its calls. Pure functions, no runs.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from runwire.agents.schema import (
    AgentAction,
    AgentActionMessageLog,
    AgentFinish,
    AgentStep,
    InvalidToolAgentAction,
    ToolAgentAction,
)
from runwire.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage


def _log(name: str, tool_input: Any, content: Any) -> str:
    said = f"responded: {content}\n" if content else "\n"
    return f"\nInvoking: `{name}` with `{tool_input}`\n{said}\n"


def parse_ai_message_to_tool_actions(message: BaseMessage) -> list[AgentAction] | AgentFinish:
    """The actions a tool-calling model's reply asks for, or an `AgentFinish` when it calls no tool."""
    if not isinstance(message, AIMessage):
        raise TypeError(
            f"a tool-calling agent reads AIMessages, got {type(message).__name__}: {message!r:.100}. "
            "Put a chat model (with bind_tools) before ToolsAgentOutputParser."
        )
    if not message.tool_calls and not message.invalid_tool_calls:
        return AgentFinish(return_values={"output": message.content}, log=str(message.content))
    actions: list[AgentAction] = []
    for call in message.tool_calls:
        args = call["args"]
        tool_input = args.get("__arg1", args) if isinstance(args, dict) else args
        actions.append(
            ToolAgentAction(
                tool=call["name"],
                tool_input=tool_input,
                log=_log(call["name"], tool_input, message.content),
                message_log=[message],
                tool_call_id=call["id"],
            )
        )
    for bad in message.invalid_tool_calls:
        name, raw = bad.get("name") or "", bad.get("args") or ""
        actions.append(
            InvalidToolAgentAction(
                tool=name,
                tool_input=raw,
                log=_log(name, raw, message.content),
                message_log=[message],
                tool_call_id=bad.get("id"),
                error=bad.get("error") or "the arguments are not valid JSON",
            )
        )
    return actions


def observation_text(observation: Any) -> str:
    """An observation as message content: text as is, anything else as JSON (else `str`)."""
    if isinstance(observation, ToolMessage):
        return observation.text
    if isinstance(observation, str):
        return observation
    try:
        return json.dumps(observation, ensure_ascii=False)
    except Exception:
        return str(observation)


def step_messages(action: AgentAction, observation: Any) -> list[BaseMessage]:
    """One step as chat messages: the model's message(s), then the answer to the call."""
    if isinstance(action, ToolAgentAction):
        if isinstance(observation, ToolMessage):
            answer = observation
        else:
            answer = ToolMessage(
                content=observation_text(observation),
                tool_call_id=action.tool_call_id or "",
                additional_kwargs={"name": action.tool},
            )
        return [*action.message_log, answer]
    said = (
        list(action.message_log)
        if isinstance(action, AgentActionMessageLog)
        else [AIMessage(content=action.log)]
    )
    return [*said, HumanMessage(content=observation_text(observation))]


def format_to_tool_messages(intermediate_steps: Sequence[Any]) -> list[BaseMessage]:
    """The steps so far as the messages a tool-calling model reads next (each AI message once,
    even when it made several calls)."""
    messages: list[BaseMessage] = []
    for step in intermediate_steps:
        action, observation = (step.action, step.observation) if isinstance(step, AgentStep) else step
        for message in step_messages(action, observation):
            if not any(message is seen for seen in messages):
                messages.append(message)
    return messages


format_to_openai_tool_messages = format_to_tool_messages
"""langchain's older name for `format_to_tool_messages`."""
