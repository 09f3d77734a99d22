"""RouterRunnable, `get_graph()` (`draw_mermaid`, `to_json`; runwire's own `draw_ascii`),
`as_tool()` and `pipe()`, as in langchain-core."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::UserWarning")


def named(x: Any) -> Any:
    return x


def multiply(d):  # type: ignore[no-untyped-def]
    return d["a"] * d["b"]


def test_router(lib: Any) -> None:
    """The input's `key` picks the runnable that gets `input`; an unknown key is a ValueError."""
    router = lib.RouterRunnable(
        {"a": lib.RunnableLambda(lambda x: x + 1), "b": lib.RunnableLambda(lambda x: x * 2)}
    )
    assert router.invoke({"key": "a", "input": 1}) == 2
    assert router.batch([{"key": "b", "input": 3}, {"key": "a", "input": 3}]) == [6, 4]
    assert asyncio.run(router.ainvoke({"key": "b", "input": 5})) == 10
    with pytest.raises(ValueError, match="No runnable associated with key 'z'"):
        router.invoke({"key": "z", "input": 1})
    schema = router.get_input_jsonschema()
    assert schema["$defs"]["RouterInput"]["required"] == ["key", "input"]


def _chain(lib: Any) -> Any:
    return (
        lib.ChatPromptTemplate.from_template("q {x}")
        | lib.FakeListChatModel(responses=["x"])
        | lib.StrOutputParser()
    )


def test_graph_of_a_sequence(runwire: Any, langchain: Any) -> None:
    """Prompt | model | parser: the same Mermaid text and JSON on both libraries."""
    mine, reference = _chain(runwire).get_graph(), _chain(langchain).get_graph()
    assert mine.draw_mermaid() == reference.draw_mermaid()
    assert mine.draw_mermaid(with_styles=False) == reference.draw_mermaid(with_styles=False)
    assert [n["data"] if n["type"] == "schema" else n["data"]["name"] for n in mine.to_json()["nodes"]] == [
        n["data"] if n["type"] == "schema" else n["data"]["name"] for n in reference.to_json()["nodes"]
    ]
    assert mine.to_json()["edges"] == reference.to_json()["edges"]


def test_graph_of_a_parallel(runwire: Any, langchain: Any) -> None:
    """A parallel fans out from its input schema and back into its output schema."""

    def build(lib: Any) -> Any:
        return {"a": lib.RunnableLambda(named), "b": lib.RunnablePassthrough()} | lib.RunnableLambda(
            lambda x: x
        )

    assert build(runwire).get_graph().draw_mermaid() == build(langchain).get_graph().draw_mermaid()
    first, last = build(runwire).get_graph().first_node(), build(runwire).get_graph().last_node()
    assert (first.name, last.name) == ("Parallel<a,b>Input", "LambdaOutput")


def test_draw_ascii_needs_no_extra_package(runwire: Any) -> None:
    """runwire draws ASCII itself (langchain-core needs `grandalf`): one row of boxes per layer,
    in order from input to output."""
    text = _chain(runwire).get_graph().draw_ascii()
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    assert rows == [
        "| PromptInput |",
        "| ChatPromptTemplate |",
        "| FakeListChatModel |",
        "| StrOutputParser |",
        "| StrOutputParserOutput |",
    ]


def test_as_tool_from_a_dict_runnable(lib: Any) -> None:
    """A runnable reading dict keys becomes a StructuredTool with those keys as arguments."""
    tool = lib.RunnableLambda(multiply).as_tool(name="mul", description="multiply")
    assert isinstance(tool, lib.StructuredTool)
    assert (tool.name, tool.description, tool.args) == (
        "mul",
        "multiply",
        {"a": {"title": "A"}, "b": {"title": "B"}},
    )
    assert tool.invoke({"a": 2, "b": 3}) == 6
    typed = lib.RunnableLambda(lambda d: d["q"]).as_tool(arg_types={"q": str}, name="n")
    assert typed.args == {"q": {"title": "Q", "type": "string"}}


def test_as_tool_from_a_string_runnable(lib: Any) -> None:
    """A runnable taking a string becomes a Tool described by its input schema."""
    tool = lib.RunnableLambda(lambda s: s.upper()).with_types(input_type=str).as_tool()
    assert isinstance(tool, lib.Tool)
    assert tool.name == "RunnableLambda"
    assert tool.description == "Takes {'title': 'RunnableLambdaInput', 'type': 'string'}."
    assert tool.invoke("hi") == "HI"


def test_pipe(lib: Any) -> None:
    """`a.pipe(b, c)` is `a | b | c`."""
    chain = lib.RunnableLambda(lambda x: x + 1).pipe(lambda x: x * 2, lib.RunnableLambda(lambda x: x - 1))
    assert isinstance(chain, lib.RunnableSequence)
    assert chain.invoke(1) == 3


def test_graph_of_assign_and_of_a_routing_function(runwire: Any, langchain: Any) -> None:
    """An assign draws its mapper with a passthrough; a function that returns runnables it
    closes over draws them between its input and output."""

    def build(lib: Any) -> Any:
        model = lib.FakeListChatModel(responses=["x"])
        other = lib.RunnableLambda(lambda x: x)

        def route(x: Any) -> Any:
            return model if x else other

        return lib.RunnablePassthrough.assign(
            a=lambda _: 1, b=lib.RunnableLambda(route)
        ) | lib.RunnableLambda(route)

    assert build(runwire).get_graph().draw_mermaid() == build(langchain).get_graph().draw_mermaid()
    assert [dep.get_name() for dep in build(runwire).steps[-1].deps] == [
        "FakeListChatModel",
        "RunnableLambda",
    ]


def test_mermaid_labels_show_scalar_metadata(runwire: Any, langchain: Any) -> None:
    """`get_graph(config)` keeps the config's metadata on the node; Mermaid shows scalar values
    (escaped) under the name, and wraps markdown-looking names in <p>."""
    config = {"metadata": {"a": 1, "b": [1, "x"], "c": {"dropped": 1}, "d": "q<>[#]"}}

    def draw(lib: Any) -> str:
        return lib.RunnableLambda(lambda x: x, name="_odd_").get_graph(config).draw_mermaid()

    assert draw(runwire) == draw(langchain)
