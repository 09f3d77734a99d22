"""Tools behave as langchain-core's (issue 21 items 12-13, issue 16 "Tools").

Same program on both libraries: runtime arguments a tool function declares (`callbacks`, a
`RunnableConfig`), injected arguments kept from the model-facing schema, pydantic v1 argument
models (and langchain-core's NotImplementedError for a v1/v2 mix), the names `tools.base`
exports, `SchemaAnnotationError`, `content_and_artifact`, JSON-schema `args_schema`,
`parse_docstring` errors, `create_retriever_tool` and langchain-core's error texts.
No `from __future__ import annotations` here: the tools read the annotations at run time.
"""

import asyncio
import importlib
import warnings
from typing import Annotated, Any

import pytest
from pydantic import BaseModel, Field
from pydantic import v1 as pydantic_v1

from tools.conftest import ToolLib


def _schema(tool: Any) -> dict[str, Any]:
    schema = tool.tool_call_schema
    if isinstance(schema, dict):
        return schema
    return schema.model_json_schema() if hasattr(schema, "model_json_schema") else schema.schema()


# -- 12. runtime arguments and injected ones ----------------------------------------------------


def test_a_function_declaring_callbacks_gets_a_manager(lib: ToolLib) -> None:
    """`callbacks` is filled (a manager, also when nobody listens) and kept out of the schema."""
    seen: list[bool] = []

    def lookup(x: int, callbacks: Any = None) -> str:
        """Look up."""
        seen.append(callbacks is not None)
        return str(x)

    for tool in (lib.StructuredTool.from_function(lookup), lib.tool(lookup)):
        assert tool.invoke({"x": 1}) == "1"
        assert tool.invoke({"x": 2}, {"callbacks": [lib.Recorder()]}) == "2"
        assert asyncio.run(tool.ainvoke({"x": 3})) == "3"
        assert tool.args == {"x": {"title": "X", "type": "integer"}}
    assert seen == [True] * 6


def test_single_input_tool_with_callbacks_parameter(lib: ToolLib) -> None:
    """langchain-core's `test_tool_from_function_with_run_manager`: `Tool.from_function` of a
    function taking `callbacks` gets one, for dict and string input alike; extra `run()`
    keywords reach the handlers' `on_tool_start`."""
    recorder = lib.Recorder()

    def foo(bar: str, callbacks: Any = None) -> str:
        """Docstring."""
        assert callbacks is not None
        return "foo" + bar

    tool = lib.Tool.from_function(foo, name="foo", description="Docstring", callbacks=[recorder])
    assert tool.run(tool_input={"bar": "bar"}, run_manager=[recorder]) == "foobar"
    assert tool.run("baz", run_manager=[recorder]) == "foobaz"
    starts = recorder.events.of("tool_start")
    assert [event.args[1] for event in starts] == ["{'bar': 'bar'}", "baz"]
    assert all("run_manager" in event.kwargs for event in starts)


def test_a_config_parameter_receives_the_config(lib: ToolLib) -> None:
    def configured(a: int, config: Any) -> str:
        """Configured."""
        return f"{a} {config['tags']} {config['configurable']}"

    configured.__annotations__["config"] = lib.RunnableConfig

    class Args(BaseModel):
        a: int

    for tool in (lib.tool(configured), lib.StructuredTool.from_function(configured, args_schema=Args)):
        assert tool.invoke({"a": 1}, {"tags": ["t"], "configurable": {"k": 1}}) == "1 ['t'] {'k': 1}"
        assert tool.args == {"a": {"title": "A", "type": "integer"}}


def test_injected_arguments_are_filtered_from_the_model_facing_schema(lib: ToolLib) -> None:
    """Injected arguments (from the signature or from a custom schema) are validated and passed,
    never shown to the model; InjectedToolCallId is filled from the tool call."""

    def signed(x: int, user: Annotated[str, lib.InjectedToolArg]) -> str:
        """Signed."""
        return f"{x}{user}"

    tool = lib.tool(signed)
    assert tool.invoke({"x": 1, "user": "u"}) == "1u"
    assert _schema(tool)["properties"] == {"x": {"title": "X", "type": "integer"}}
    assert set(tool.get_input_schema().model_json_schema()["properties"]) == {"x", "user"}

    class Custom(BaseModel):
        """Custom."""

        a: int = Field(description="aa")
        state: Annotated[str, lib.InjectedToolArg]
        call_id: Annotated[str, lib.InjectedToolCallId]

    def custom(a: int, state: str, call_id: str) -> str:
        return f"{a}{state}{call_id}"

    tool = lib.StructuredTool.from_function(custom, args_schema=Custom)
    assert _schema(tool) == {
        "description": "Custom.",
        "properties": {"a": {"description": "aa", "title": "A", "type": "integer"}},
        "required": ["a"],
        "title": "custom",
        "type": "object",
    }
    call = {"type": "tool_call", "name": "custom", "args": {"a": 1, "state": "s"}, "id": "I"}
    assert tool.invoke(call).content == "1sI"
    with pytest.raises(ValueError, match=r"'type': 'tool_call', 'tool_call_id': '...'\}"):
        tool.invoke({"a": 1, "state": "s"})


# -- 13. pydantic v1 schemas ---------------------------------------------------------------------------


class V1Args(pydantic_v1.BaseModel):
    a: int
    b: str = "x"


class V2Args(BaseModel):
    a: int


def test_a_pydantic_v1_model_as_args_schema(lib: ToolLib) -> None:
    def pair(a: int, b: str = "x") -> str:
        """Pair."""
        return f"{a}{b}"

    tool = lib.StructuredTool.from_function(pair, args_schema=V1Args)
    assert tool.invoke({"a": 1}) == "1x"
    assert tool.args == {
        "a": {"title": "A", "type": "integer"},
        "b": {"title": "B", "default": "x", "type": "string"},
    }
    assert _schema(tool)["required"] == ["a"]
    with pytest.raises(pydantic_v1.ValidationError):
        tool.invoke({"a": "not a number"})


def test_a_function_annotated_with_v1_models_gets_a_v1_schema(lib: ToolLib) -> None:
    def takes_v1(a: V1Args) -> str:
        """Takes a v1 model."""
        return repr(a)

    tool = lib.tool(takes_v1)
    assert tool.invoke({"a": {"a": 1}}) == "V1Args(a=1, b='x')"
    assert tool.args == {"a": {"$ref": "#/definitions/V1Args"}}


def test_mixing_v1_and_v2_models_raises_not_implemented(lib: ToolLib) -> None:
    def mixed(a: V1Args, b: V2Args) -> str:
        """Mixed."""
        return "m"

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pydantic warns about the mix before the error
        with pytest.raises(NotImplementedError, match="contains a mix of Pydantic v1 and v2 annotations"):
            lib.tool(mixed).tool_call_schema  # built lazily in langchain-core


# -- issue 16: names, schema annotations, formats ----------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "InjectedToolArg",
        "InjectedToolCallId",
        "SchemaAnnotationError",
        "TOOL_MESSAGE_BLOCK_TYPES",
        "create_schema_from_function",
        "ToolException",
        "BaseToolkit",
        "ArgsSchema",
        "FILTERED_ARGS",
    ],
)
def test_tools_base_exports(lib: ToolLib, name: str) -> None:
    assert hasattr(importlib.import_module(f"{lib.name}.tools.base"), name)


def test_tool_message_block_types(lib: ToolLib) -> None:
    blocks = importlib.import_module(f"{lib.name}.tools.base").TOOL_MESSAGE_BLOCK_TYPES
    assert set(blocks) >= {"text", "image_url", "image", "json", "search_result", "document", "file"}


def test_args_schema_annotated_as_an_instance_raises_schema_annotation_error(lib: ToolLib) -> None:
    class Args(BaseModel):
        a: int

    with pytest.raises(lib.SchemaAnnotationError, match="Expected annotation of 'Type\\[BaseModel\\]'"):

        class Mistyped(lib.BaseTool):  # type: ignore[misc, name-defined]
            name: str = "mistyped"
            description: str = "d"
            args_schema: BaseModel = Args  # type: ignore[assignment]

            def _run(self, a: int) -> int:
                return a

    class Typed(lib.BaseTool):  # type: ignore[misc, name-defined]
        name: str = "typed"
        description: str = "d"
        args_schema: type[BaseModel] = Args

        def _run(self, a: int) -> int:
            return a

    assert Typed().invoke({"a": 3}) == 3


def test_content_and_artifact(lib: ToolLib) -> None:
    @lib.tool(response_format="content_and_artifact")
    def search(q: str) -> tuple[str, dict[str, Any]]:
        """Search."""
        return f"found {q}", {"raw": q}

    message = search.invoke({"type": "tool_call", "name": "search", "args": {"q": "x"}, "id": "1"})
    assert (message.content, message.artifact) == ("found x", {"raw": "x"})
    assert search.invoke({"q": "x"}) == "found x"

    @lib.tool(response_format="content_and_artifact")
    def wrong(q: str) -> str:
        """Wrong."""
        return q

    with pytest.raises(ValueError, match="a two-tuple of the message content and raw tool output"):
        wrong.invoke({"q": "x"})


def test_json_schema_dict_as_args_schema(lib: ToolLib) -> None:
    schema = {
        "type": "object",
        "properties": {"a": {"type": "integer"}, "b": {"type": "string"}},
        "required": ["a"],
        "title": "js",
        "description": "JS schema",
    }

    def joined(a: int, b: str = "z") -> str:
        return f"{a}{b}"

    tool = lib.StructuredTool.from_function(joined, args_schema=schema, name="joined", description="desc")
    assert tool.invoke({"a": 1}) == "1z"
    assert tool.args == schema["properties"]
    assert _schema(tool) == {**schema, "description": "desc"}
    assert lib.tool(args_schema=schema)(joined).description == "JS schema"
    with pytest.raises(
        ValueError, match="String tool inputs are not allowed when using tools with JSON schema"
    ):
        tool.invoke("x")


def test_parse_docstring_and_its_errors(lib: ToolLib) -> None:
    def documented(a: int, b: str) -> str:
        """The summary.

        More text.

        Args:
            a: the a
                continued.
            b: the b.

        Returns:
            stuff
        """
        return "x"

    tool = lib.tool(parse_docstring=True)(documented)
    assert tool.description == "The summary. More text."
    assert tool.args == {
        "a": {"description": "the a continued.", "title": "A", "type": "integer"},
        "b": {"description": "the b.", "title": "B", "type": "string"},
    }

    def no_args_block(a: int) -> str:
        """No args section."""
        return "x"

    def undocumented(a: int) -> str:
        return "x"

    def extra_arg(a: int) -> str:
        """Sum.

        Args:
            a: x
            zz: y
        """
        return "x"

    for func in (no_args_block, undocumented):
        with pytest.raises(ValueError, match="Found invalid Google-Style docstring"):
            lib.tool(parse_docstring=True)(func)
    with pytest.raises(ValueError, match="Arg zz in docstring not found in function signature"):
        lib.tool(parse_docstring=True)(extra_arg)
    assert lib.tool(parse_docstring=True, error_on_invalid_docstring=False)(no_args_block).description == (
        "No args section."
    )


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda lib: lib.tool("a", "b", "c"), "Too many arguments for tool decorator"),
        (
            lambda lib: lib.tool(3),
            (
                "The first argument must be a string or a callable with a __name__ for tool decorator. "
                "Got <class 'int'>"
            ),
        ),
        (lambda lib: lib.StructuredTool.from_function(), "Function and/or coroutine must be provided"),
        (lambda lib: lib.tool(lambda x: x), "Function must have a docstring if description not provided"),
    ],
)
def test_error_texts_start_as_langchain_cores(lib: ToolLib, make: Any, message: str) -> None:
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        make(lib)


def test_create_retriever_tool(lib: ToolLib) -> None:
    class Keyword(lib.BaseRetriever):  # type: ignore[misc, name-defined]
        docs: list[Any]

        def _get_relevant_documents(self, query: str, *, run_manager: Any) -> list[Any]:
            return [d for d in self.docs if query in d.page_content]

    docs = [
        lib.Document(page_content="cats purr", metadata={"n": 1}),
        lib.Document("cats nap", metadata={"n": 2}),
    ]
    retriever = Keyword(docs=docs)
    tool = lib.create_retriever_tool(retriever, "search", "Search the docs.")
    assert tool.args == {
        "query": {"description": "query to look up in retriever", "title": "Query", "type": "string"}
    }
    assert tool.invoke({"query": "cats"}) == "cats purr\n\ncats nap"
    recorder = lib.Recorder()
    assert asyncio.run(tool.ainvoke({"query": "nap"}, {"callbacks": [recorder]})) == "cats nap"
    assert [e.kind for e in recorder.events.starts()] == ["tool_start", "retriever_start"]
    prompt = importlib.import_module(f"{lib.name}.prompts").PromptTemplate.from_template(
        "{n}: {page_content}"
    )
    artifact_tool = lib.create_retriever_tool(
        retriever,
        "s",
        "d",
        document_prompt=prompt,
        document_separator=" / ",
        response_format="content_and_artifact",
    )
    message = artifact_tool.invoke({"type": "tool_call", "name": "s", "args": {"query": "cats"}, "id": "c"})
    assert message.content == "1: cats purr / 2: cats nap"
    assert message.artifact == docs
    missing = lib.create_retriever_tool(
        retriever, "s", "d", document_prompt=prompt.from_template("{source} {page_content}")
    )
    with pytest.raises(ValueError, match="Document prompt requires documents to have metadata variables"):
        missing.invoke({"query": "cats"})


@pytest.mark.parametrize("listening", [False, True])
def test_the_config_reaches_ensure_config_inside_a_tool(lib: ToolLib, listening: bool) -> None:
    """langchain-core's `test_tool_pass_context`: `ensure_config()` in a tool sees the call's
    config, with or without a handler listening, sync and async."""
    ensure_config = importlib.import_module(f"{lib.name}.runnables").ensure_config

    @lib.tool
    def foo(bar: str) -> str:
        """The foo."""
        config = ensure_config()
        return f"{bar} {config['configurable']} {config['tags']}"

    @lib.tool
    async def afoo(bar: str) -> str:
        """The async foo."""
        await asyncio.sleep(0)
        config = ensure_config()
        return f"{bar} {config['configurable']} {config['tags']}"

    config: dict[str, Any] = {"configurable": {"foo": "not-bar"}, "tags": ["t"]}
    if listening:
        config["callbacks"] = [lib.Recorder()]
    expected = "baz {'foo': 'not-bar'} ['t']"
    assert foo.invoke({"bar": "baz"}, config) == expected
    assert asyncio.run(foo.ainvoke({"bar": "baz"}, config)) == expected
    assert asyncio.run(afoo.ainvoke({"bar": "baz"}, config)) == expected
