"""The agent loop, written once: a generator that says what to do next, for any driver.

`agent_loop(settings)` yields requests and is sent their results: `Plan` (ask the agent for its
next decision; send back actions, an `AgentFinish`, or the `OutputParserException` it raised),
`Announce` (fire `on_agent_action`/`on_agent_finish`), `RunTools` (run these calls concurrently;
send back one observation each, in order) and `Emit` (a stream chunk). It returns an `Outcome`.
All decisions live here (iteration and time limits, unknown tools, unparseable calls, parse
errors, `return_direct`); the sync and async drivers in `runner` only do the I/O, so `invoke`,
`ainvoke`, `stream` and `astream` behave the same by construction.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass
from typing import Any

from runwire.agents.schema import AgentAction, AgentFinish, AgentStep, InvalidToolAgentAction
from runwire.exceptions import OutputParserException
from runwire.messages import ToolMessage

STOPPED = "Agent stopped due to iteration limit or time limit."
TOOL_ERROR_TEMPLATE = "Error: {error}\n Please fix your mistakes."


@dataclass(frozen=True, slots=True)
class Plan:
    """Ask the agent for its next decision, given the steps so far as `(action, observation)`."""

    steps: tuple[tuple[AgentAction, Any], ...]


@dataclass(frozen=True, slots=True)
class Announce:
    """Tell the run's handlers about a decision (`on_agent_action` / `on_agent_finish`)."""

    event: AgentAction | AgentFinish


@dataclass(frozen=True, slots=True)
class ToolRun:
    """One action to carry out: invoke `tool` with `input`, or (no tool) just use `observation`."""

    action: AgentAction
    tool: Any
    input: Any
    observation: Any = None


@dataclass(frozen=True, slots=True)
class RunTools:
    """Run these calls (concurrently); reply with one observation per call, in order."""

    calls: tuple[ToolRun, ...]


@dataclass(frozen=True, slots=True)
class Emit:
    """A stream chunk: `kind` is "action", "step" or "finish"; `value` the record."""

    kind: str
    value: Any


Request = Plan | Announce | RunTools | Emit


@dataclass(frozen=True, slots=True)
class Settings:
    """What the loop needs to decide: the tools by name and the limits."""

    tools: Mapping[str, Any]
    max_iterations: int | None = 15
    max_execution_time: float | None = None
    handle_parsing_errors: Any = False
    early_stopping_method: str = "force"
    clock: Callable[[], float] | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """How the loop ended: the finish and every step taken."""

    finish: AgentFinish
    steps: list[AgentStep]


EARLY_STOPPING_METHODS = ("force",)


def check_early_stopping(method: str) -> None:
    """Refuse an `early_stopping_method` the loop cannot honour (called at construction)."""
    if method not in EARLY_STOPPING_METHODS:
        raise ValueError(
            f"early_stopping_method {method!r} is not supported; runwire's agents stop with "
            f"{' or '.join(map(repr, EARLY_STOPPING_METHODS))} (a fixed final answer)."
        )


def agent_loop(settings: Settings) -> Generator[Request, Any, Outcome]:
    """The loop (see the module docstring). Raises what the agent raised when it is not handled."""
    check_early_stopping(settings.early_stopping_method)
    steps: list[AgentStep] = []
    clock = settings.clock
    started = clock() if clock is not None else 0.0
    iterations = 0
    while _may_continue(settings, iterations, clock() - started if clock is not None else 0.0):
        iterations += 1
        decision = yield Plan(tuple((s.action, s.observation) for s in steps))
        if isinstance(decision, OutputParserException):
            action = parse_error_action(decision, settings.handle_parsing_errors)
            yield Announce(action)
            yield Emit("action", action)
            step = AgentStep(action, action.tool_input)
            steps.append(step)
            yield Emit("step", step)
            continue
        if isinstance(decision, AgentFinish):
            yield Announce(decision)
            yield Emit("finish", decision)
            return Outcome(decision, steps)
        actions = [decision] if isinstance(decision, AgentAction) else list(decision)
        if not actions:
            raise ValueError(
                "the agent returned no actions and no AgentFinish; it must return AgentAction(s) or an "
                "AgentFinish."
            )
        for action in actions:
            yield Announce(action)
            yield Emit("action", action)
        observations = yield RunTools(tuple(_prepare(action, settings.tools) for action in actions))
        new = [AgentStep(a, o) for a, o in zip(actions, observations, strict=True)]
        steps.extend(new)
        for step in new:
            yield Emit("step", step)
        if len(new) == 1 and getattr(settings.tools.get(new[0].action.tool), "return_direct", False):
            finish = AgentFinish({"output": _plain(new[0].observation)}, "")
            yield Announce(finish)
            yield Emit("finish", finish)
            return Outcome(finish, steps)
    finish = AgentFinish({"output": STOPPED}, "")
    yield Announce(finish)
    yield Emit("finish", finish)
    return Outcome(finish, steps)


def _may_continue(settings: Settings, iterations: int, elapsed: float) -> bool:
    if settings.max_iterations is not None and iterations >= settings.max_iterations:
        return False
    return settings.max_execution_time is None or elapsed < settings.max_execution_time


def _plain(observation: Any) -> Any:
    return observation.content if isinstance(observation, ToolMessage) else observation


def _prepare(action: AgentAction, tools: Mapping[str, Any]) -> ToolRun:
    """The call for `action`, or the error observation when it cannot be run."""
    call_id = getattr(action, "tool_call_id", None)
    if isinstance(action, InvalidToolAgentAction):
        text = (
            f"Error: the arguments of the call to {action.tool!r} could not be parsed ({action.error}): "
            f"{action.tool_input!r}\n Please fix your mistakes."
        )
        return ToolRun(action, None, None, error_answer(text, action))
    tool = tools.get(action.tool)
    if tool is None:
        text = f"{action.tool} is not a valid tool, try one of [{', '.join(tools)}]."
        return ToolRun(action, None, None, error_answer(text, action))
    if call_id is None:
        return ToolRun(action, tool, action.tool_input)
    args = action.tool_input if isinstance(action.tool_input, dict) else {"__arg1": action.tool_input}
    return ToolRun(action, tool, {"type": "tool_call", "name": action.tool, "args": args, "id": call_id})


def error_answer(text: Any, action: AgentAction) -> Any:
    """An error observation: a ToolMessage with `status="error"` answering a tool call, else text."""
    call_id = getattr(action, "tool_call_id", None)
    if call_id is None:
        return text
    return ToolMessage(content=text, tool_call_id=call_id, name=action.tool, status="error")


def tool_error_answer(error: Exception, action: AgentAction, flag: Any) -> Any:
    """The observation for a tool that raised `error`, as `handle_tool_errors` says: the error
    shown to the model (True), a fixed text (str) or flag(error) (callable). False re-raises."""
    if flag is True:
        text = TOOL_ERROR_TEMPLATE.format(error=repr(error))
    elif isinstance(flag, str):
        text = flag
    elif callable(flag):
        text = flag(error)
    else:
        raise error
    return error_answer(text, action)


def parse_error_action(error: OutputParserException, flag: Any) -> AgentAction:
    """The `_Exception` action recording a parse error the agent handles (`handle_parsing_errors`):
    its input is the observation the model is shown next. False re-raises the error."""
    if flag is False or flag is None:
        raise ValueError(
            "An output parsing error occurred. In order to pass this error back to the agent and have it "
            f"try again, pass `handle_parsing_errors=True` to the AgentExecutor. This is the error: {error}"
        ) from error
    if flag is True:
        observation = str(error.observation) if error.send_to_llm else "Invalid or incomplete response"
    elif isinstance(flag, str):
        observation = flag
    elif callable(flag):
        observation = flag(error)
    else:
        raise ValueError(f"Got unexpected type of `handle_parsing_errors`: {flag!r}")
    return AgentAction("_Exception", observation, str(error.llm_output or error))
