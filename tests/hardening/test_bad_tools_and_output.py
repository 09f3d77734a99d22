"""Tools given arguments of the wrong type, missing, oversized or deeply nested; messages of
wrong types; model output that is invalid or truncated JSON; an agent asked for a tool it lacks."""

from __future__ import annotations

from typing import Any

import pytest

from runwire.agents import create_agent
from runwire.exceptions import OutputParserException
from runwire.language_models import GenericFakeChatModel
from runwire.messages import AIMessage, AIMessageChunk, HumanMessage, ToolMessage, messages_from_dict
from runwire.output_parsers import JsonOutputParser, StrOutputParser
from runwire.tools import tool

from .conftest import Recorder


@tool
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


@tool
def size(x: dict[str, Any]) -> int:
    """How many keys."""
    return len(x)


@pytest.mark.parametrize(
    ("given", "match"),
    [
        ({"a": 1}, "Field required"),
        ({"a": "x", "b": 2}, "valid integer"),
        ({"a": "1" * 100_000, "b": 1}, "exceeded maximum size"),
        (5, "valid dictionary"),
        (None, "valid dictionary"),
        ([1, 2], "valid dictionary"),
    ],
)
def test_bad_tool_arguments_are_validation_errors_with_an_error_event(given: object, match: str) -> None:
    """Wrong, missing and oversized arguments are the schema's validation error, and the tool run
    ends in on_tool_error (no bare KeyError from inside)."""
    recorder = Recorder()
    with pytest.raises(ValueError, match=match):
        add.invoke(given, {"callbacks": [recorder]})
    recorder.assert_paired(error=True)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        ({"type": "tool_call", "name": "add", "args": "a=1", "id": "1"}, ValueError, "'args' is not a dict"),
        ({"type": "tool_call", "name": "add", "id": "1"}, KeyError, "without 'args'"),
        ({"type": "tool_call", "name": "add", "args": {"a": 1, "b": 2}}, KeyError, "without 'id'"),
        ({"type": "tool_call", "name": "add", "args": [1, 2], "id": "1"}, ValueError, "'args' is not a dict"),
    ],
)
async def test_a_malformed_tool_call_dict_is_an_error_naming_the_shape(
    call: dict[str, Any], error: type[Exception], match: str
) -> None:
    """A missing part is langchain-core's KeyError, args of the wrong type a ValueError; both name
    the shape to pass (was a bare KeyError('args')/KeyError('id') or a dict() ValueError)."""
    with pytest.raises(error, match=match):
        add.invoke(call)
    with pytest.raises(error, match=match):
        await add.ainvoke(call)


def test_deeply_nested_and_extra_arguments_are_accepted() -> None:
    nested: dict[str, Any] = {}
    cursor = nested
    for _ in range(2_000):
        cursor["a"] = {}
        cursor = cursor["a"]
    assert size.invoke({"x": nested}) == 1
    assert add.invoke({"a": 1, "b": 2, "unexpected": 3}) == 3


def test_an_agent_asked_for_an_unknown_tool_tells_the_model_and_finishes() -> None:
    """A call to a tool the agent lacks becomes an error ToolMessage naming the real tools; every
    run the agent starts ends."""
    model = GenericFakeChatModel(
        messages=iter(
            [AIMessage("", tool_calls=[{"name": "rm_rf", "args": {"path": "/"}, "id": "c1"}]), "done"]
        )
    )
    recorder = Recorder()
    out = create_agent(model, [add]).invoke({"messages": [("user", "go")]}, {"callbacks": [recorder]})
    answer = next(m for m in out["messages"] if isinstance(m, ToolMessage))
    assert "rm_rf is not a valid tool" in answer.content
    assert "add" in answer.content
    assert out["messages"][-1].content == "done"
    recorder.assert_paired(error=False)


@pytest.mark.parametrize("text", ["not json", "{'a': 1}", "", "```json\n```", "True"])
def test_invalid_json_output_is_an_output_parser_exception(text: str) -> None:
    recorder = Recorder()
    with pytest.raises(OutputParserException, match="Invalid json output") as caught:
        JsonOutputParser().invoke(text, {"callbacks": [recorder]})
    assert caught.value.llm_output is not None
    recorder.assert_paired(error=True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [('{"a": [1, 2', {"a": [1, 2]}), ('{"a": 1, "b', {"a": 1}), ('```json\n{"a": "x', {"a": "x"})],
)
def test_truncated_json_output_is_completed(text: str, expected: Any) -> None:
    assert JsonOutputParser().invoke(text) == expected


@pytest.mark.parametrize("text", ["[" * 100_000, "[" * 100_000 + "]" * 100_000, '{"a":' * 50_000])
def test_json_nested_past_the_recursion_limit_is_an_output_parser_exception(text: str) -> None:
    """Was a bare RecursionError from json's decoder."""
    with pytest.raises(OutputParserException, match="nested too deeply"):
        JsonOutputParser().invoke(text)


@pytest.mark.parametrize("given", [5, None, object()])
def test_parsers_given_non_text_say_what_they_take(given: object) -> None:
    for parser in (JsonOutputParser(), StrOutputParser()):
        with pytest.raises(TypeError, match="parses a str or a message"):
            parser.invoke(given)


@pytest.mark.parametrize("content", [5, None, {"a": 1}, [1]])
def test_messages_of_wrong_types_are_validation_errors(content: object) -> None:
    with pytest.raises((TypeError, ValueError), match="content"):
        HumanMessage(content)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("left", "right", "match"),
    [
        (AIMessageChunk("a"), 5, "adds only to another chunk"),
        (AIMessageChunk("a"), HumanMessage("b"), "adds only to another chunk"),
        (
            AIMessageChunk("a", additional_kwargs={"k": 1}),
            AIMessageChunk("b", additional_kwargs={"k": "s"}),
            "different type",
        ),
        (
            AIMessageChunk("a", additional_kwargs={"k": 1.0}),
            AIMessageChunk("b", additional_kwargs={"k": 2.0}),
            "unsupported type",
        ),
    ],
)
def test_chunks_that_cannot_merge_are_type_errors(left: Any, right: Any, match: str) -> None:
    with pytest.raises(TypeError, match=match):
        left + right


@pytest.mark.parametrize("bad", [{"type": "human"}, "x", {"type": "human", "data": "x"}, 5])
def test_messages_from_bad_dicts_are_value_errors(bad: object) -> None:
    """Was a bare KeyError('data') / TypeError('string indices ...')."""
    with pytest.raises(ValueError, match="needs 'type' and a 'data' dict"):
        messages_from_dict([bad])  # type: ignore[list-item]
