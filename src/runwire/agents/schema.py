"""Agent records: what an agent decided (`AgentAction`, `AgentFinish`) and what happened
(`AgentStep`), with langchain's names, fields and reprs.

`ToolAgentAction` is a tool call a tool-calling model made: it keeps the call's id and the
message that made it, so the conversation can be rebuilt for the next turn. Frozen, slotted
records; `messages` renders each as the chat messages it stands for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from runwire.messages import AIMessage, BaseMessage


@dataclass(frozen=True, slots=True)
class AgentAction:
    """The agent wants `tool` run with `tool_input`; `log` is the model's text that said so."""

    tool: str
    tool_input: str | dict[str, Any]
    log: str
    type: ClassVar[str] = "AgentAction"

    @property
    def messages(self) -> list[BaseMessage]:
        """The action as chat messages."""
        return [AIMessage(content=self.log)]


@dataclass(frozen=True, slots=True)
class AgentActionMessageLog(AgentAction):
    """An action with the messages the model produced while deciding it."""

    message_log: list[BaseMessage] = field(default_factory=list)
    type: ClassVar[str] = "AgentActionMessageLog"

    @property
    def messages(self) -> list[BaseMessage]:
        return list(self.message_log)


@dataclass(frozen=True, slots=True)
class ToolAgentAction(AgentActionMessageLog):
    """A tool call made by a tool-calling model: `tool_call_id` answers it."""

    tool_call_id: str | None = None
    type: ClassVar[str] = "ToolAgentAction"


@dataclass(frozen=True, slots=True)
class InvalidToolAgentAction(ToolAgentAction):
    """A tool call whose arguments could not be parsed; `error` says why. It is answered with an
    error ToolMessage, never run."""

    error: str = ""
    type: ClassVar[str] = "InvalidToolAgentAction"


@dataclass(frozen=True, slots=True)
class AgentStep:
    """An action and what running it returned (`observation`)."""

    action: AgentAction
    observation: Any

    @property
    def messages(self) -> list[BaseMessage]:
        from runwire.agents.scratchpad import step_messages

        return step_messages(self.action, self.observation)


@dataclass(frozen=True, slots=True)
class AgentFinish:
    """The agent is done: `return_values` is its answer, `log` the model's final text."""

    return_values: dict[str, Any]
    log: str
    type: ClassVar[str] = "AgentFinish"

    @property
    def messages(self) -> list[BaseMessage]:
        return [AIMessage(content=self.log)]


__all__ = [
    "AgentAction",
    "AgentActionMessageLog",
    "AgentFinish",
    "AgentStep",
    "InvalidToolAgentAction",
    "ToolAgentAction",
]
