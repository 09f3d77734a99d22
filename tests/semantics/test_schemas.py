"""Runnable schemas: `get_input_jsonschema`, `get_output_jsonschema`, `get_config_jsonschema`,
`InputType`/`OutputType`, `with_types` and `get_name`, the same on both libraries.

Schemas that describe messages or prompt values differ on purpose: langchain-core's messages
are pydantic models (their fields appear under `$defs`), runwire's are plain classes, shown as
`{"title": <class name>, "type": "object"}`; those cases assert each library's own shape.

Not `from __future__ import annotations`: the functions' annotations must be real types here.
"""

import sys
from operator import itemgetter
from typing import Any

import pytest


def typed(x: int) -> str:
    return str(x)


def reads_keys(d: dict[str, Any]) -> Any:
    return d["a"] + d.get("b", 0)


def reads_untyped(d):  # type: ignore[no-untyped-def]
    return d["a"] + d.get("b", 0)


def _cases(lib: Any) -> dict[str, Any]:
    rl, rp = lib.RunnableLambda, lib.RunnablePassthrough
    return {
        "lambda typed": rl(typed),
        "lambda untyped": rl(lambda x: x),
        "lambda reading keys": rl(reads_untyped),
        "lambda reading keys inline": rl(lambda x: x["foo"] + x.get("bar")),
        "itemgetter one key": rl(itemgetter("question")),
        "itemgetter two keys": rl(itemgetter("a", "b")),
        "itemgetter index": rl(itemgetter(0)),
        "passthrough": rp(),
        "assign": rp.assign(c=lambda _: 1),
        "assign reading keys": rp.assign(c=reads_untyped),
        "parallel of key readers": lib.RunnableParallel(a=reads_untyped, b=rl(lambda x: x["z"])),
        "parallel with a typed step": lib.RunnableParallel(a=typed, b=rp()),
        "sequence": rl(typed) | rl(lambda x: x),
        "sequence starting with assign": rp.assign(z=lambda _: 1) | rl(reads_untyped),
        "sequence ending with assign": rl(reads_untyped) | {"a": rp(), "b": rp()} | rp.assign(c=lambda _: 1),
        "sequence ending with pick": lib.RunnableParallel(a=rp(), b=typed) | lib.RunnablePick("b"),
        "branch": lib.RunnableBranch((lambda _: True, rl(reads_untyped)), rl(lambda x: x)),
        "bind": rl(typed).bind(),
        "with_config": rl(typed).with_config(run_name="renamed"),
        "with_types": rl(lambda x: x).with_types(input_type=int, output_type=list[str]),
        "map": rl(typed).map(),
        "fallbacks": rl(typed).with_fallbacks([rl(lambda x: x)]),
        "retry": rl(typed).with_retry(),
        "prompt input": lib.ChatPromptTemplate.from_template("hi {a} {b}"),
        "string prompt input": lib.PromptTemplate.from_template("hi {a}"),
        "llm": lib.FakeListLLM(responses=["x"]),
    }


_CASES = [
    "lambda typed",
    "lambda untyped",
    "lambda reading keys",
    "lambda reading keys inline",
    "itemgetter one key",
    "itemgetter two keys",
    "itemgetter index",
    "passthrough",
    "assign",
    "assign reading keys",
    "parallel of key readers",
    "parallel with a typed step",
    "sequence",
    "sequence starting with assign",
    "sequence ending with assign",
    "sequence ending with pick",
    "branch",
    "bind",
    "with_config",
    "with_types",
    "map",
    "fallbacks",
    "retry",
    "prompt input",
    "string prompt input",
    "llm",
]
_MESSAGE_OUTPUTS = {"prompt input", "string prompt input"}  # prompt values: see the module docstring
_MESSAGE_INPUTS = {"llm"}


@pytest.mark.parametrize("case", _CASES)
def test_schemas_match_langchain_core(runwire: Any, langchain: Any, case: str) -> None:
    """The same runnable built with each library has the same name and the same input, output
    and config JSON schemas."""
    mine, reference = _cases(runwire)[case], _cases(langchain)[case]
    assert mine.get_name() == reference.get_name()
    if case not in _MESSAGE_INPUTS:
        assert mine.get_input_jsonschema() == reference.get_input_jsonschema()
    assert mine.get_config_jsonschema() == reference.get_config_jsonschema()
    assert mine.get_config_jsonschema(include=["tags", "run_name"]) == reference.get_config_jsonschema(
        include=["tags", "run_name"]
    )
    if case not in _MESSAGE_OUTPUTS:
        assert mine.get_output_jsonschema() == reference.get_output_jsonschema()


def test_types_and_with_types(lib: Any) -> None:
    """`InputType`/`OutputType` come from annotations; `with_types` overrides them and the schemas."""
    runnable = lib.RunnableLambda(typed)
    assert (runnable.InputType, runnable.OutputType) == (int, str)
    assert (runnable | lib.RunnableLambda(lambda x: x)).InputType is int
    retyped = lib.RunnableLambda(lambda x: x).with_types(input_type=float, output_type=bool)
    assert (retyped.InputType, retyped.OutputType) == (float, bool)
    assert retyped.input_schema.model_json_schema() == {"title": "RunnableLambdaInput", "type": "number"}
    assert retyped.output_schema.model_json_schema() == {"title": "RunnableLambdaOutput", "type": "boolean"}
    assert retyped.invoke("not checked") == "not checked"  # types are not enforced at run time


def test_get_name_suffixes(lib: Any) -> None:
    """`get_name(suffix)`: appended as is after a capitalised name, lower-cased after `_` otherwise."""
    assert lib.RunnableLambda(typed).get_name("Input") == "typed_input"
    assert lib.RunnableLambda(lambda x: x).get_name("Output") == "RunnableLambdaOutput"
    assert lib.RunnableLambda(typed).get_name(name="Other") == "Other"


def test_prompt_and_parser_message_schemas(lib: Any) -> None:
    """Schemas that mention messages: both libraries name them the same way; langchain-core
    describes each message model under `$defs`, runwire names the class (see module docstring)."""
    parser = lib.StrOutputParser()
    assert parser.get_output_jsonschema() == {"title": "StrOutputParserOutput", "type": "string"}
    schema = parser.get_input_jsonschema()
    assert schema["title"] == "StrOutputParserInput"
    assert schema["anyOf"][0] == {"type": "string"}
    out = lib.ChatPromptTemplate.from_template("{q}").get_output_jsonschema()
    assert out["title"] == "ChatPromptTemplateOutput"
    assert len(out["anyOf"]) == 2
    if lib.name == "langchain_core":
        assert "AIMessage" in schema["$defs"]
        assert [r["$ref"] for r in out["anyOf"]] == [
            "#/$defs/StringPromptValue",
            "#/$defs/ChatPromptValueConcrete",
        ]
    else:
        assert schema["anyOf"][1] == {"title": "BaseMessage", "type": "object"}
        assert out["anyOf"] == [
            {"title": "StringPromptValue", "type": "object"},
            {"title": "ChatPromptValueConcrete", "type": "object"},
        ]


def test_tool_and_chat_model_schemas(lib: Any) -> None:
    """A tool's input schema is its arguments; a chat model's config schema is empty."""

    @lib.tool
    def add(a: int, b: int = 2) -> int:
        """Add."""
        return a + b

    assert add.get_input_jsonschema() == {
        "description": "Add.",
        "properties": {
            "a": {"title": "A", "type": "integer"},
            "b": {"default": 2, "title": "B", "type": "integer"},
        },
        "required": ["a"],
        "title": "add",
        "type": "object",
    }
    model = lib.FakeListChatModel(responses=["x"])
    assert model.get_config_jsonschema() == {
        "properties": {},
        "title": "FakeListChatModelConfig",
        "type": "object",
    }
    assert model.get_input_jsonschema()["anyOf"][0] == {"type": "string"}


def test_import_of_runnables_loads_no_pydantic() -> None:
    """Schemas are built on first request: importing runwire.runnables loads no pydantic."""
    import subprocess

    code = "import runwire.runnables, sys; print('pydantic' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_retriever_schemas_and_get_prompts(lib: Any) -> None:
    """A retriever takes a string and returns a list (of documents); `get_prompts` finds the
    prompt templates in a chain's graph."""

    class Echo(lib.BaseRetriever):
        def _get_relevant_documents(self, query: str, *, run_manager: Any) -> list[Any]:
            return [lib.Document(page_content=query)]

    retriever = Echo()
    assert retriever.get_input_jsonschema() == {"title": "EchoInput", "type": "string"}
    output = retriever.get_output_jsonschema()
    assert (output["title"], output["type"]) == ("EchoOutput", "array")
    prompt = lib.ChatPromptTemplate.from_template("{x}")
    assert (prompt | lib.FakeListChatModel(responses=["a"])).get_prompts() == [prompt]
