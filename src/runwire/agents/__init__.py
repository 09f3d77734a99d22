"""Agents: a model that calls tools in a loop, every step reported to the run's handlers.

Two shapes, both over one loop (`loop.agent_loop`, a generator driven by `invoke`, `ainvoke`,
`stream` and `astream` alike):

* **Classic** (`langchain.agents`): `create_tool_calling_agent(llm, tools, prompt)` and
  `AgentExecutor(agent=..., tools=..., max_iterations=..., handle_parsing_errors=...,
  return_intermediate_steps=...)`, invoked with `{"input": ...}`. This is the shape langchain's
  callback documentation describes ("a handler passed to an agent is used for the agent and
  every object in its run"), the one that sends `on_agent_action` / `on_agent_finish`, and the
  one most existing programs use, so it is the primary shape.
* **langchain 1.x** (`create_agent(model, tools, system_prompt=...)`), invoked with
  `{"messages": [...]}`, returning `{"messages": [...]}`; the same events, fewer runs (the model
  is called directly, with no prompt or parser runs around it).

A runtime handler passed to either hears: the agent's chain start, each model run and each tool
run as children of the agent run (a model called inside a tool as the tool's child),
`on_agent_action` for every tool call and `on_agent_finish`, then the agent's chain end. The
tool calls of one turn run concurrently; a failing tool is answered with a ToolMessage with
`status="error"` (see `handle_tool_errors`), so the model can recover.
"""

from runwire.agents.executor import AgentExecutor, ToolsAgentOutputParser, create_tool_calling_agent
from runwire.agents.factory import ToolCallingAgent, create_agent
from runwire.agents.loop import Settings, agent_loop
from runwire.agents.schema import (
    AgentAction,
    AgentActionMessageLog,
    AgentFinish,
    AgentStep,
    InvalidToolAgentAction,
    ToolAgentAction,
)
from runwire.agents.scratchpad import (
    format_to_openai_tool_messages,
    format_to_tool_messages,
    parse_ai_message_to_tool_actions,
)

__all__ = [
    "AgentAction",
    "AgentActionMessageLog",
    "AgentExecutor",
    "AgentFinish",
    "AgentStep",
    "InvalidToolAgentAction",
    "Settings",
    "ToolAgentAction",
    "ToolCallingAgent",
    "ToolsAgentOutputParser",
    "agent_loop",
    "create_agent",
    "create_tool_calling_agent",
    "format_to_openai_tool_messages",
    "format_to_tool_messages",
    "parse_ai_message_to_tool_actions",
]
