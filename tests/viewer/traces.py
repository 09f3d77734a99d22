"""Trace stores for the viewer tests: real runs of fake models, and 100k generated roots."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

from runwire.agents import AgentExecutor, create_tool_calling_agent
from runwire.callbacks import dispatch_custom_event
from runwire.language_models import GenericFakeChatModel
from runwire.messages import AIMessage, BaseMessage, HumanMessage
from runwire.outputs import ChatGeneration, ChatResult
from runwire.prompts import ChatPromptTemplate
from runwire.runnables import RunnableLambda
from runwire.tools import tool
from runwire.tracers._schema import connect
from runwire.tracers.replay import replay_from
from runwire.tracers.sqlite import SQLiteTracer

PWNED = "<script>window.__pwned=1</script>"
IMAGE = (  # an 8x6 blue PNG
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAgAAAAGCAIAAABxZ0isAAAAEUlEQVR4nGOIrvmFFTEMpAQAb01XMQPVoq4AAAAASUVORK5CYII="
)
AGENT_NODES = ("add", "multiply", "GenericFakeChatModel", "ChatPromptTemplate", "ToolsAgentOutputParser")


def _reply(content: str = "", **calls: Any) -> AIMessage:
    tool_calls = [{"name": name, "args": args, "id": f"call_{name}"} for name, args in calls.items()]
    return AIMessage(
        content=content,
        tool_calls=tool_calls,
        usage_metadata={"input_tokens": 12, "output_tokens": 4, "total_tokens": 16},
        response_metadata={"model_name": "fake-agent-model"},
    )


def agent(*, replies: bool = True) -> AgentExecutor:
    """The agent of examples/agent_callbacks.py: `add`, then `multiply` (which asks a model), then
    the answer. `replies=False`: models that fail when called (for replay)."""
    checker = GenericFakeChatModel(messages=iter(["Looks right."] if replies else []))

    @tool
    def add(a: int, b: int) -> int:
        """Add two integers."""
        return a + b

    @tool
    def multiply(a: int, b: int) -> int:
        """Multiply two integers (and have a model check the result)."""
        checker.invoke(f"Is {a} * {b} = {a * b}?")
        return a * b

    turns = [_reply(add={"a": 2, "b": 3}), _reply(multiply={"a": 5, "b": 4}), _reply("(2 + 3) * 4 = 20")]
    llm = GenericFakeChatModel(messages=iter(turns if replies else []))
    prompt = ChatPromptTemplate.from_messages(
        [
            ("system", "You are good at arithmetic."),
            ("human", "{input}"),
            ("placeholder", "{agent_scratchpad}"),
        ]
    )
    tools = [add, multiply]
    return AgentExecutor(agent=create_tool_calling_agent(llm, tools, prompt), tools=tools)


def flaky() -> Any:
    """A lambda failing once (retried) that dispatches a custom event before it answers."""
    attempts = []

    def step(text: str) -> str:
        attempts.append(text)
        if len(attempts) == 1:
            raise ConnectionError("transient")
        dispatch_custom_event("progress", {"done": 1, "of": 1})
        return text.upper()

    return RunnableLambda(step).with_retry(stop_after_attempt=2, wait_exponential_jitter=False)


def failing() -> Any:
    """prompt | model | a step that divides by zero: an error two levels down."""

    def split(message: AIMessage) -> float:
        return len(str(message.content)) / 0

    model = GenericFakeChatModel(messages=iter(["Split 12 ways"]))
    return ChatPromptTemplate.from_template("Share {amount} apples") | model | RunnableLambda(split)


class CutOffModel(GenericFakeChatModel):
    """A scripted model whose reply stopped at its token limit, reported the way ChatLlamaCpp and
    OpenAI-compatible servers report it: `finish_reason` in the generation's `generation_info`."""

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> ChatResult:
        generation = ChatGeneration(message=self._next(), generation_info={"finish_reason": "length"})
        return ChatResult(generations=[generation])


def fill(db: Path) -> dict[str, str]:
    """The agent run, a prompt carrying a <script> (its model's reply reports a stop reason), an
    image question (its reply was cut off: finish reason `length`), a streamed model call, a retried step.
    Returns the root run ids by role."""
    tracer = SQLiteTracer(db)
    config: dict[str, Any] = {"callbacks": [tracer]}
    ids: dict[str, str] = {}
    agent().invoke(
        {"input": "What is (2 + 3) * 4?"}, {**config, "run_name": "arithmetic_agent", "tags": ["agent"]}
    )
    tracer.flush()
    with closing(sqlite3.connect(db)) as conn:
        (agent_id,) = conn.execute("SELECT id FROM runs WHERE id = trace_id").fetchone()
    with replay_from(db, agent_id):  # the same agent, its model replies served from the trace
        agent(replies=False).invoke(
            {"input": "What is (2 + 3) * 4?"}, {**config, "run_name": "agent_replay", "tags": ["replay"]}
        )
    try:
        failing().invoke({"amount": "12"}, {**config, "run_name": "failing_chain", "tags": ["error"]})
    except ZeroDivisionError:
        pass
    looker = CutOffModel(messages=iter(["A blue rectangle."]))
    question = HumanMessage(
        content=[
            {"type": "text", "text": "What is in this picture?"},
            {"type": "image_url", "image_url": {"url": IMAGE}},
        ]
    )
    looker.invoke([question], {**config, "run_name": "image_question", "tags": ["image"]})
    said = AIMessage(PWNED, response_metadata={"stop_reason": "end_turn"})  # as Anthropic reports it
    hostile = ChatPromptTemplate.from_template("Repeat: {text}") | GenericFakeChatModel(messages=iter([said]))
    hostile.invoke({"text": PWNED}, {**config, "run_name": PWNED, "tags": ["xss"]})
    streamer = GenericFakeChatModel(messages=iter(["streamed tokens arrive one by one"]))
    list(streamer.stream("Say something", {**config, "run_name": "streamed_call", "tags": ["stream"]}))
    flaky().invoke("retry me", {**config, "run_name": "flaky_step"})
    tracer.close()
    with closing(sqlite3.connect(db)) as conn:
        for run_id, name in conn.execute("SELECT id, name FROM runs WHERE id = trace_id"):
            ids[{"arithmetic_agent": "agent", PWNED: "xss", "streamed_call": "stream"}.get(name, name)] = (
                run_id
            )
    return ids


NAMES = ("summarise", "classify", "agent", "extract", "translate")
STATUSES = ("ok", "ok", "ok", "error", "running")
T0 = 1_700_000_000.0


MODELS = ("gpt-4o-mini", "claude-3-haiku", "smollm2-135m")


def latency(n: int) -> float:
    """Seconds the `n`th generated trace (and its model call) took: 0.1 to 2.0, varied."""
    return 0.1 * (1 + (n * 7) % 20)


def fill_many(db: Path, count: int = 100_000, *, model_calls: bool = False) -> None:
    """`count` root runs (one per trace), one every second from T0, straight into the runs table;
    with `model_calls`, each trace also has one model call (model and tokens) under its root."""
    conn = connect(db, create=True)
    rows = []
    calls = []
    for n in range(count):
        run_id = f"{n:08x}-0000-4000-8000-000000000000"
        name = f"{NAMES[n % 5]}_{n % 7}"
        status = STATUSES[n % 5]
        tags = json.dumps(["even" if n % 2 == 0 else "odd", *(["rare"] if n % 1000 == 0 else [])])
        start = T0 + n
        end = None if status == "running" else start + latency(n)
        rows.append((run_id, run_id, 0, name, "chain", status, tags, start, end, n % 50))
        if model_calls:
            call = f"{n:08x}-0000-4000-8000-000000000001"
            tokens = (n % 40, n % 10)
            calls.append((call, run_id, run_id, start, end, MODELS[n % 3], *tokens, sum(tokens)))
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO runs (id, parent_id, trace_id, seq, name, run_type, status, start_time, end_time, "
        "model, input_tokens, output_tokens, total_tokens) "
        "VALUES (?, ?, ?, 1, 'ChatModel', 'llm', 'ok', ?, ?, ?, ?, ?, ?)",
        calls,
    )
    conn.executemany(
        "INSERT INTO runs (id, trace_id, seq, name, run_type, status, tags, start_time, end_time, "
        "total_tokens) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    conn.execute("COMMIT")
    conn.close()
