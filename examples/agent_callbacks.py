"""A handler passed to an agent hears the agent and every object in its run: tools and models.

A tool-calling agent with two tools, on a fake chat model scripted to call `add`, then
`multiply` (which asks a model inside the tool), then answer. One handler, passed at run time,
prints every event indented by its depth in the run tree. Swap the fake for a real chat model
(e.g. `ChatOpenAI` from `runwire.chat_models`) and the same handler sees the same tree.
"""

from typing import Any
from uuid import UUID

from runwire.agents import AgentExecutor, create_tool_calling_agent
from runwire.callbacks import BaseCallbackHandler
from runwire.language_models import GenericFakeChatModel
from runwire.messages import AIMessage
from runwire.prompts import ChatPromptTemplate
from runwire.tools import tool

checker = GenericFakeChatModel(messages=iter(["Looks right."]))


@tool
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


@tool
def multiply(a: int, b: int) -> int:
    """Multiply two integers (and have a model check the result)."""
    product = a * b
    checker.invoke(f"Is {a} * {b} = {product}?")  # a model inside a tool: the tool's child run
    return product


class TreePrinter(BaseCallbackHandler):
    """Prints each event indented by its run's depth (the root run is depth 0)."""

    def __init__(self) -> None:
        self.depth: dict[UUID, int] = {}

    def _line(self, event: str, text: str, run_id: UUID, parent_run_id: UUID | None) -> None:
        if run_id not in self.depth:
            self.depth[run_id] = 0 if parent_run_id is None else self.depth[parent_run_id] + 1
        print(f"{'  ' * self.depth[run_id]}{event} {text}".rstrip())

    def on_chain_start(self, serialized: dict[str, Any], inputs: Any, **kwargs: Any) -> None:
        self._line("chain_start", kwargs["name"], kwargs["run_id"], kwargs["parent_run_id"])

    def on_chain_end(self, outputs: Any, **kwargs: Any) -> None:
        self._line("chain_end", "", kwargs["run_id"], kwargs["parent_run_id"])

    def on_chat_model_start(self, serialized: dict[str, Any], messages: Any, **kwargs: Any) -> None:
        self._line("chat_model_start", kwargs["name"], kwargs["run_id"], kwargs["parent_run_id"])

    def on_llm_end(self, response: Any, **kwargs: Any) -> None:
        self._line(
            "llm_end", repr(response.generations[0][0].text), kwargs["run_id"], kwargs["parent_run_id"]
        )

    def on_tool_start(self, serialized: dict[str, Any], input_str: str, **kwargs: Any) -> None:
        self._line(
            "tool_start", f"{serialized['name']} {input_str}", kwargs["run_id"], kwargs["parent_run_id"]
        )

    def on_tool_end(self, output: Any, **kwargs: Any) -> None:
        self._line("tool_end", repr(output.content), kwargs["run_id"], kwargs["parent_run_id"])

    def on_agent_action(self, action: Any, **kwargs: Any) -> None:
        print(f"{'  ' * (self.depth[kwargs['run_id']] + 1)}agent_action {action.tool} {action.tool_input}")

    def on_agent_finish(self, finish: Any, **kwargs: Any) -> None:
        print(f"{'  ' * (self.depth[kwargs['run_id']] + 1)}agent_finish {finish.return_values['output']!r}")


def main() -> None:
    llm = GenericFakeChatModel(
        messages=iter(
            [
                AIMessage(content="", tool_calls=[{"name": "add", "args": {"a": 2, "b": 3}, "id": "call_1"}]),
                AIMessage(
                    content="", tool_calls=[{"name": "multiply", "args": {"a": 5, "b": 4}, "id": "call_2"}]
                ),
                "(2 + 3) * 4 = 20",
            ]
        )
    )
    prompt = ChatPromptTemplate.from_messages(
        [
            ("system", "You are good at arithmetic."),
            ("human", "{input}"),
            ("placeholder", "{agent_scratchpad}"),
        ]
    )
    tools = [add, multiply]
    agent = AgentExecutor(agent=create_tool_calling_agent(llm, tools, prompt), tools=tools)
    result = agent.invoke({"input": "What is (2 + 3) * 4?"}, config={"callbacks": [TreePrinter()]})
    print(result["output"])


if __name__ == "__main__":
    main()
