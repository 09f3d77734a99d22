"""The reference note's hand-written tool-calling loop (§3.5), side by side with langchain-core.

A `RunnableLambda` named "Agent" calls the model and the tools with its config: model runs and
tool runs are all children of the Agent run, in call order. runwire's agents build on exactly
this nesting; here the plain loop is checked to nest the same way in both libraries.
"""

from __future__ import annotations

from typing import Any

from .conftest import ToolLib


def test_hand_written_loop_nests_model_and_tool_runs_under_it(lib: ToolLib, run: Any) -> None:
    """Model start/end, tool start/end, model start/end: all children of the Agent run (§3.5)."""
    add = lib.add_tool()
    model = lib.GenericFakeChatModel(
        messages=iter(
            [
                lib.AIMessage(
                    content="", tool_calls=[{"name": "add", "args": {"a": 1, "b": 2}, "id": "call_1"}]
                ),
                "1 + 2 = 3",
            ]
        )
    )

    def agent(question: str, config: Any) -> str:
        messages: list[Any] = [lib.HumanMessage(content=question)]
        reply = model.invoke(messages, config)
        messages.append(reply)
        messages.extend(add.invoke(call, config) for call in reply.tool_calls)
        return str(model.invoke(messages, config).content)

    handler = lib.Recorder()
    final = run(lib.RunnableLambda(agent, name="Agent"), "what is 1 + 2?", {"callbacks": [handler]})
    assert final == "1 + 2 = 3"
    assert handler.events.lines() == [
        "chain_start Agent R1<-None []",
        "chat_model_start GenericFakeChatModel R2<-R1 []",
        "llm_end R2<-R1 []",
        "tool_start add R3<-R1 []",
        "tool_end R3<-R1 []",
        "chat_model_start GenericFakeChatModel R4<-R1 []",
        "llm_end R4<-R1 []",
        "chain_end R1<-None []",
    ]
