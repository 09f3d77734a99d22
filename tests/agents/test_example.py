"""examples/agent_callbacks.py: one runtime handler prints the agent's whole run tree."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).parent.parent.parent / "examples" / "agent_callbacks.py"

TURN = [
    "  chain_start RunnableSequence",
    "    chain_start RunnableAssign<agent_scratchpad>",
    "      chain_start RunnableParallel<agent_scratchpad>",
    "        chain_start RunnableLambda",
    "        chain_end",
    "      chain_end",
    "    chain_end",
    "    chain_start ChatPromptTemplate",
    "    chain_end",
    "    chat_model_start GenericFakeChatModel",
]


def _output() -> list[str]:
    done = subprocess.run(
        [sys.executable, str(EXAMPLE)], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stderr == "", done.stderr
    return done.stdout.splitlines()


def test_example_prints_every_event_at_its_depth() -> None:
    """The agent run at depth 0; each turn's agent runnable, action and tool at depth 1; the
    runnable's steps below it; the model inside `multiply` under that tool; then the answer."""
    assert _output() == [
        "chain_start AgentExecutor",
        "  chain_start RunnableSequence",
        "    chain_start RunnableAssign<agent_scratchpad>",
        "      chain_start RunnableParallel<agent_scratchpad>",
        "        chain_start RunnableLambda",
        "        chain_end",
        "      chain_end",
        "    chain_end",
        "    chain_start ChatPromptTemplate",
        "    chain_end",
        "    chat_model_start GenericFakeChatModel",
        "    llm_end ''",
        "    chain_start ToolsAgentOutputParser",
        "    chain_end",
        "  chain_end",
        "  agent_action add {'a': 2, 'b': 3}",
        "  tool_start add {'a': 2, 'b': 3}",
        "  tool_end '5'",
        "  chain_start RunnableSequence",
        "    chain_start RunnableAssign<agent_scratchpad>",
        "      chain_start RunnableParallel<agent_scratchpad>",
        "        chain_start RunnableLambda",
        "        chain_end",
        "      chain_end",
        "    chain_end",
        "    chain_start ChatPromptTemplate",
        "    chain_end",
        "    chat_model_start GenericFakeChatModel",
        "    llm_end ''",
        "    chain_start ToolsAgentOutputParser",
        "    chain_end",
        "  chain_end",
        "  agent_action multiply {'a': 5, 'b': 4}",
        "  tool_start multiply {'a': 5, 'b': 4}",
        "    chat_model_start GenericFakeChatModel",
        "    llm_end 'Looks right.'",
        "  tool_end '20'",
        "  chain_start RunnableSequence",
        "    chain_start RunnableAssign<agent_scratchpad>",
        "      chain_start RunnableParallel<agent_scratchpad>",
        "        chain_start RunnableLambda",
        "        chain_end",
        "      chain_end",
        "    chain_end",
        "    chain_start ChatPromptTemplate",
        "    chain_end",
        "    chat_model_start GenericFakeChatModel",
        "    llm_end '(2 + 3) * 4 = 20'",
        "    chain_start ToolsAgentOutputParser",
        "    chain_end",
        "  chain_end",
        "  agent_finish '(2 + 3) * 4 = 20'",
        "chain_end",
        "(2 + 3) * 4 = 20",
    ]


def test_example_output_holds_three_turns() -> None:
    """The model is asked three times (add, multiply, answer), each time through the same steps."""
    lines = _output()
    starts = [i for i, line in enumerate(lines) if line == TURN[0]]
    assert len(starts) == 3
    assert all(lines[i : i + len(TURN)] == TURN for i in starts)
