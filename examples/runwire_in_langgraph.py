"""runwire inside LangGraph: a runwire chat model and tool in LangGraph's prebuilt ReAct agent.

`to_langchain` turns the runwire model into a langchain `BaseChatModel` (with `bind_tools`) and
the tool into a langchain `BaseTool`, which `create_react_agent` and its `ToolNode` accept. The
agent is streamed with `stream_mode="messages"` (tokens as they come) while langchain-core's own
RunCollectorCallbackHandler records the run tree, runwire's runs included. The fake model is
scripted to call `add`, then answer; swap in `runwire.chat_models.ChatOpenAI(...)`.
Needs `pip install "runwire[langchain]" langgraph`.
"""

import warnings
from typing import Any

from langchain_core.tracers.run_collector import RunCollectorCallbackHandler
from langgraph.prebuilt import create_react_agent

from runwire.interop.langchain import to_langchain
from runwire.language_models import GenericFakeChatModel
from runwire.messages import AIMessage
from runwire.tools import tool


@tool
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


model = GenericFakeChatModel(
    messages=iter(
        [
            AIMessage("", tool_calls=[{"name": "add", "args": {"a": 2, "b": 3}, "id": "call_1"}]),
            AIMessage("2 + 3 = 5"),
        ]
    )
)


def show(run: Any, depth: int = 0) -> None:
    print(f"{'  ' * depth}{run.name} ({run.run_type})")
    for child in run.child_runs:
        show(child, depth + 1)


if __name__ == "__main__":
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # create_react_agent is moving to langchain.agents
        agent = create_react_agent(to_langchain(model), [to_langchain(add)])
    collector = RunCollectorCallbackHandler()
    inputs = {"messages": [("user", "What is 2 + 3?")]}
    for chunk, meta in agent.stream(inputs, {"callbacks": [collector]}, stream_mode="messages"):
        if chunk.content:
            print(f"[{meta['langgraph_node']}] {chunk.content!r}")
    show(collector.traced_runs[0])
