"""What a tool tells the model: names, descriptions and JSON schemas, checked against langchain-core.

`@tool` reads the function's name, docstring and type hints; `convert_to_openai_tool` gives the
same dicts as langchain-core's for tools, pydantic models, TypedDicts, functions and OpenAI
dicts. Validation errors say what was wrong. Pydantic is loaded only when a schema is built.

No `from __future__ import annotations` here: the functions under test are defined inside the
tests and their annotations name `lib`'s classes.
"""

import subprocess
import sys
from typing import Annotated, Any, Literal

import pydantic
import pytest
from typing_extensions import TypedDict

from .conftest import ToolLib


def _search(
    query: str, limit: int = 5, kind: Literal["web", "news"] = "web", tags: list[str] | None = None
) -> str:
    """Search things.

    Longer text here.

    Args:
        query: what to look for
        limit: how many
        kind: where
        tags: filters
    """
    return query


class Person(pydantic.BaseModel):
    """A person."""

    name: str = pydantic.Field(description="full name")
    age: int


class Address(pydantic.BaseModel):
    """Where someone lives."""

    city: str
    people: list[Person]


class Movie(TypedDict):
    """A movie.

    Args:
        title: its title
    """

    title: str
    year: Annotated[int, ..., "the year it came out"]


def _plain(x: int, y: str = "a") -> str:
    """Do f.

    Args:
        x: the x
        y: the y
    """
    return y * x


OPENAI_DICT = {"name": "n", "description": "d", "parameters": {"type": "object", "properties": {}}}
ANTHROPIC_DICT = {"name": "n", "description": "d", "input_schema": {"type": "object", "properties": {}}}


def _schemas(lib: ToolLib) -> dict[str, Any]:
    """The inputs `convert_to_openai_tool` accepts, built with `lib`'s classes where needed."""

    def add(a: int, b: int) -> int:
        """Add two integers."""
        return a + b

    def lookup(city: str, key: Annotated[str, lib.InjectedToolArg]) -> str:
        """Look a city up."""
        return city

    return {
        "tool": lib.tool(add),
        "tool-parsed-docstring": lib.tool(_search, parse_docstring=True),
        "tool-with-injected-arg": lib.tool(lookup),
        "tool-no-args": lib.tool(_noargs),
        "pydantic": Person,
        "pydantic-nested": Address,
        "typeddict": Movie,
        "function": _plain,
        "openai-dict": OPENAI_DICT,
        "anthropic-dict": ANTHROPIC_DICT,
        "builtin-tool": {"type": "web_search"},
    }


def _noargs() -> str:
    """Nothing."""
    return "x"


KINDS = [
    "tool",
    "tool-parsed-docstring",
    "tool-with-injected-arg",
    "tool-no-args",
    "pydantic",
    "pydantic-nested",
    "typeddict",
    "function",
    "openai-dict",
    "anthropic-dict",
    "builtin-tool",
]


@pytest.mark.reference
@pytest.mark.parametrize("kind", KINDS)
def test_convert_to_openai_tool_matches_langchain(kind: str) -> None:
    """runwire's `convert_to_openai_tool` gives langchain-core's dict, key order included."""
    theirs, ours = ToolLib("langchain_core"), ToolLib("runwire")
    expected = theirs.convert_to_openai_tool(_schemas(theirs)[kind])
    got = ours.convert_to_openai_tool(_schemas(ours)[kind])
    assert got == expected
    assert list(got.get("function", {}).get("parameters", {})) == list(
        expected.get("function", {}).get("parameters", {})
    )


@pytest.mark.reference
@pytest.mark.parametrize("kind", ["tool", "pydantic", "function"])
def test_strict_mode_matches_langchain(kind: str) -> None:
    """`strict=True` adds `strict` and `additionalProperties: false` as langchain-core does."""
    theirs, ours = ToolLib("langchain_core"), ToolLib("runwire")
    expected = theirs.convert_to_openai_function(_schemas(theirs)[kind], strict=True)
    assert ours.convert_to_openai_function(_schemas(ours)[kind], strict=True) == expected


def test_tool_name_description_and_args_come_from_the_function(lib: ToolLib) -> None:
    """`@tool` names the tool after the function, describes it with the docstring, and lists its
    arguments (with titles) as `args`."""
    tool = lib.add_tool()
    assert (tool.name, tool.description) == ("add", "Add two integers.")
    assert tool.args == {"a": {"title": "A", "type": "integer"}, "b": {"title": "B", "type": "integer"}}


def test_parse_docstring_gives_argument_descriptions(lib: ToolLib) -> None:
    """With `parse_docstring=True` the description is the text before `Args:` and each argument
    gets its line."""
    tool = lib.tool(_search, parse_docstring=True)
    assert tool.description == "Search things. Longer text here."
    assert tool.args["limit"] == {
        "default": 5,
        "description": "how many",
        "title": "Limit",
        "type": "integer",
    }


def test_parse_docstring_rejects_an_argument_the_function_lacks(lib: ToolLib) -> None:
    """A docstring documenting an argument the function does not have is an error."""

    def f(x: int) -> int:
        """Do it.

        Args:
            x: the x
            y: not an argument
        """
        return x

    with pytest.raises(ValueError, match="Arg y in docstring not found in function signature"):
        lib.tool(f, parse_docstring=True)


def test_annotated_string_describes_an_argument(lib: ToolLib) -> None:
    """`Annotated[int, "text"]` gives the argument a description."""

    def f(n: Annotated[int, "how many"]) -> int:
        """Count."""
        return n

    assert lib.tool(f).args["n"]["description"] == "how many"


def test_injected_arguments_are_not_shown_to_the_model(lib: ToolLib) -> None:
    """`InjectedToolArg` arguments are left out of `args` and of the tool-call schema."""
    tool = _schemas(lib)["tool-with-injected-arg"]
    assert list(tool.args) == ["city"]
    assert list(tool.tool_call_schema.model_json_schema()["properties"]) == ["city"]


def test_args_schema_may_be_a_pydantic_model(lib: ToolLib) -> None:
    """A tool given `args_schema=Model` validates with it and shows its fields."""

    def greet(name: str, age: int) -> str:
        return f"{name} is {age}"

    tool = lib.StructuredTool.from_function(greet, description="Greet.", args_schema=Person)
    assert tool.invoke({"name": "Ada", "age": "36"}) == "Ada is 36"
    assert list(tool.args) == ["name", "age"]


def test_args_schema_may_be_a_json_schema_dict(lib: ToolLib) -> None:
    """A JSON-schema dict is shown to the model as is; input is passed through unvalidated."""
    schema = {"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]}

    def find(q: str) -> str:
        return q * 2

    tool = lib.StructuredTool.from_function(find, description="Find.", args_schema=schema)
    assert tool.invoke({"q": "ab"}) == "abab"
    assert tool.args == {"q": {"type": "string"}}


def test_validation_coerces_like_pydantic(lib: ToolLib) -> None:
    """Arguments are validated by pydantic: "1" becomes 1 for an int argument."""
    assert lib.add_tool().invoke({"a": "1", "b": 2.0}) == 3


def test_missing_argument_names_the_field(lib: ToolLib) -> None:
    """A missing argument raises pydantic's ValidationError naming the field."""
    with pytest.raises(pydantic.ValidationError, match="b\n  Field required"):
        lib.add_tool().invoke({"a": 1})


def test_wrong_type_names_the_field_and_the_value(lib: ToolLib) -> None:
    """A wrong type raises pydantic's ValidationError naming the field and the bad value."""
    with pytest.raises(pydantic.ValidationError, match="input_value='x'"):
        lib.add_tool().invoke({"a": "x", "b": 2})


def test_base_tool_subclass_runs_its_run_method(lib: ToolLib) -> None:
    """A hand-written `BaseTool` subclass with `_run` works, with its class-level name and
    description."""

    class Upper(lib.BaseTool):  # type: ignore[misc, name-defined]
        name: str = "upper"
        description: str = "Upper-case text."

        def _run(self, text: str) -> str:
            return text.upper()

    tool = Upper()
    assert (tool.invoke({"text": "a"}), tool.invoke("b"), tool.name) == ("A", "B", "upper")


def test_no_docstring_and_no_description_is_an_error(lib: ToolLib) -> None:
    """A function without a docstring needs `description=`."""

    def bare(x: int) -> int:
        return x

    with pytest.raises(ValueError, match="Function must have a docstring if description not provided"):
        lib.tool(bare)


def test_tool_decorator_takes_a_name(lib: ToolLib) -> None:
    """`@tool("name")` names the tool; `return_direct` is kept."""

    @lib.tool("calculator", return_direct=True)
    def calc(expression: str) -> str:
        """Evaluate."""
        return expression

    assert (calc.name, calc.return_direct) == ("calculator", True)


@pytest.mark.parametrize(
    "module", ["runwire.runnables", "runwire.prompts", "runwire.tools", "runwire.agents"]
)
def test_importing_does_not_load_pydantic(module: str) -> None:
    """Importing the core, the prompts, the tools or the agents loads no pydantic; building a tool
    from a function does."""
    code = (
        f"import sys, {module}; assert 'pydantic' not in sys.modules, '{module} loaded pydantic'\n"
        "from runwire.tools import tool\n"
        "def f(x: int) -> int:\n    'F.'\n    return x\n"
        "tool(f); assert 'pydantic' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
