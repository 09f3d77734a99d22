"""Output parsers, differentially: the same program on langchain-core and runwire.

Pydantic, JSON (with `diff=True` patches), list streaming, tool-call parsing (whole and
streamed), legacy function-call parsers, the XML parser (including the "billion laughs"
document) and refusals. Where runwire deliberately raises `OutputParserException` in place of
langchain-core's None/KeyError/TypeError/EntitiesForbidden, the test asserts each library's own.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError


class Person(BaseModel):
    name: str
    age: int


def _chunks(text: str, size: int = 3) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def _refusal(lib: Any) -> Any:
    return lib.AIMessage(content=[{"type": "refusal", "refusal": "I can't help with that."}])


# -- PydanticOutputParser ----------------------------------------------------------------------


def test_pydantic_parser_validates_and_is_generic(lib: Any) -> None:
    """`PydanticOutputParser[Model]` parses fenced JSON into the model; `OutputType` is the model."""
    parser = lib.PydanticOutputParser[Person](pydantic_object=Person)
    out = parser.invoke(lib.AIMessage('```json\n{"name": "Ada", "age": 36}\n```'))
    assert out == Person(name="Ada", age=36)
    assert parser.OutputType is Person
    assert parser.parse('{"name": "B", "age": "2"}') == Person(name="B", age=2)


def test_pydantic_parser_format_instructions_equal(lib: Any) -> None:
    """The format instructions are langchain-core's text with the model's reduced schema."""
    text = lib.PydanticOutputParser(pydantic_object=Person).get_format_instructions()
    assert text.startswith("The output should be formatted as a JSON instance")
    schema = json.loads(text.split("```\n")[1].split("\n```")[0])
    assert schema == {
        "properties": {
            "name": {"title": "Name", "type": "string"},
            "age": {"title": "Age", "type": "integer"},
        },
        "required": ["name", "age"],
    }


def test_pydantic_parser_errors(lib: Any) -> None:
    """Invalid fields, non-object JSON and non-JSON text all raise OutputParserException."""
    parser = lib.PydanticOutputParser(pydantic_object=Person)
    with pytest.raises(lib.OutputParserException, match=r"Failed to parse Person from completion"):
        parser.parse('{"name": "Ada", "age": "old"}')
    with pytest.raises(lib.OutputParserException, match=r"Failed to parse Person from completion \[1, 2\]"):
        parser.parse("[1, 2]")
    with pytest.raises(lib.OutputParserException):
        parser.parse("no json here")


def test_pydantic_parser_takes_v1_models(lib: Any) -> None:
    """A pydantic.v1 model validates with parse_obj; errors are OutputParserException."""
    from pydantic import v1

    class Old(v1.BaseModel):
        name: str

    parser = lib.PydanticOutputParser(pydantic_object=Old)
    assert parser.parse('{"name": "a"}') == Old(name="a")
    assert '"required": ["name"]' in parser.get_format_instructions()
    with pytest.raises(lib.OutputParserException, match="Failed to parse Old from completion"):
        parser.parse('{"x": 1}')


def test_pydantic_parser_streams_objects_once_valid(lib: Any) -> None:
    """Streaming yields a model only once the JSON so far validates, then each change."""
    parser = lib.PydanticOutputParser(pydantic_object=Person)
    out = list(parser.transform(iter(_chunks('{"name": "Ada", "age": 36}'))))
    assert out == [Person(name="Ada", age=3), Person(name="Ada", age=36)]


def test_every_json_and_tool_parser_raises_refusal(lib: Any) -> None:
    """A refusal content block raises ModelRefusalError from JSON, Pydantic and tool parsers."""
    parsers = [
        lib.JsonOutputParser(),
        lib.PydanticOutputParser(pydantic_object=Person),
        lib.JsonOutputToolsParser(),
        lib.JsonOutputKeyToolsParser(key_name="x"),
        lib.PydanticToolsParser(tools=[Person]),
    ]
    for parser in parsers:
        with pytest.raises(lib.ModelRefusalError, match="I can't help with that"):
            parser.invoke(_refusal(lib))


# -- JsonOutputParser --------------------------------------------------------------------------


def test_json_diff_streams_json_patch_ops(lib: Any) -> None:
    """`diff=True` yields the JSON Patch operations between successive partial values."""
    chunks = ['{"a"', ': 1, "b', '": ["x', '", "yz"]}']
    assert list(lib.JsonOutputParser(diff=True).transform(iter(chunks))) == [
        [{"op": "replace", "path": "", "value": {}}],
        [{"op": "add", "path": "/a", "value": 1}],
        [{"op": "add", "path": "/b", "value": ["x"]}],
        [{"op": "add", "path": "/b/1", "value": "yz"}],
    ]
    assert lib.SimpleJsonOutputParser is lib.JsonOutputParser


def test_json_parser_streams_over_message_chunks(lib: Any) -> None:
    """Message chunks accumulate; each new partial value is yielded once."""
    chunks = [lib.AIMessageChunk(content=c) for c in _chunks('{"k": "value"}', 2)]
    out = list(lib.JsonOutputParser().transform(iter(chunks)))
    assert out[-1] == {"k": "value"}
    assert all(a != b for a, b in itertools.pairwise(out))


async def test_json_diff_and_xml_astream(lib: Any) -> None:
    """The async streams give what the sync ones give."""

    async def source(chunks: list[str]) -> Any:
        for chunk in chunks:
            yield chunk

    chunks = ['{"a"', ': 1, "b', '": ["x', '", "yz"]}']
    patches = [p async for p in lib.JsonOutputParser(diff=True).atransform(source(chunks))]
    assert patches == list(lib.JsonOutputParser(diff=True).transform(iter(chunks)))
    xml = _chunks("<a><b>1</b><c>2</c></a>", 3)
    assert [v async for v in lib.XMLOutputParser().atransform(source(xml))] == [
        {"a": [{"b": "1"}]},
        {"a": [{"c": "2"}]},
    ]


# -- list parsers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parser_name", "text"),
    [
        ("CommaSeparatedListOutputParser", "foo, bar, baz, qux"),
        ("NumberedListOutputParser", "Here:\n1. foo\n2. bar\n3. baz"),
        ("MarkdownListOutputParser", "Intro\n- foo\n- bar\n* baz\n"),
    ],
)
def test_list_parsers_stream_item_by_item(lib: Any, parser_name: str, text: str) -> None:
    """Each item streams as a one-item list as soon as it is known complete."""
    parser = getattr(lib, parser_name)()
    streamed = list(parser.transform(iter(_chunks(text, 2))))
    assert all(len(item) == 1 for item in streamed)
    assert [item[0] for item in streamed] == parser.parse(text)
    messages = [lib.AIMessageChunk(content=c) for c in _chunks(text, 5)]
    assert list(parser.transform(iter(messages))) == streamed


async def test_list_parser_astream(lib: Any) -> None:
    """The async stream yields the same items."""

    async def source() -> Any:
        for chunk in _chunks("1. a\n2. b\n3. c", 2):
            yield chunk

    out = [item async for item in lib.NumberedListOutputParser().atransform(source())]
    assert out == [["a"], ["b"], ["c"]]


# -- tool calls --------------------------------------------------------------------------------


def _raw(name: str, arguments: Any, call_id: str = "c1") -> dict[str, Any]:
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}


def test_parse_tool_call_shapes(lib: Any) -> None:
    """parse_tool_call: a ToolCall with id, a bare dict without, None without "function"."""
    assert lib.parse_tool_call(_raw("f", '{"a": 1}')) == {
        "name": "f",
        "args": {"a": 1},
        "id": "c1",
        "type": "tool_call",
    }
    assert lib.parse_tool_call(_raw("f", '{"a": 1}'), return_id=False) == {"name": "f", "args": {"a": 1}}
    assert lib.parse_tool_call(_raw("f", "")) == {"name": "f", "args": {}, "id": "c1", "type": "tool_call"}
    assert lib.parse_tool_call({"id": "x"}) is None
    assert lib.parse_tool_call(_raw("f", '{"a": [1, 2'), partial=True)["args"] == {"a": [1, 2]}
    with pytest.raises(
        lib.OutputParserException, match=r"Function f arguments:\n\n\{bad\n\nare not valid JSON"
    ):
        lib.parse_tool_call(_raw("f", "{bad"))
    with pytest.raises(lib.OutputParserException) as caught:
        lib.parse_tool_calls([_raw("f", "{bad"), _raw("g", "[")])
    assert "Function f" in str(caught.value)
    assert "Function g" in str(caught.value)


def test_non_object_tool_arguments(lib: Any) -> None:
    """Arguments that are JSON but not an object: langchain-core passes them on as "args";
    runwire raises OutputParserException (tool arguments are a dict of named values)."""
    raw = _raw("f", "[1, 2]")
    if lib.name == "langchain_core":
        assert lib.parse_tool_call(raw)["args"] == [1, 2]
    else:
        with pytest.raises(lib.OutputParserException, match="are not a JSON object"):
            lib.parse_tool_call(raw)
    message = lib.AIMessage("", tool_calls=[{"name": "Person", "args": {"name": "Ada", "age": 1}, "id": "1"}])
    message.tool_calls[0]["args"] = ["not", "a", "dict"]
    with pytest.raises(ValueError, match="Tool arguments must be specified as a dict"):
        lib.PydanticToolsParser(tools=[Person]).invoke(message)


def test_make_invalid_tool_call(lib: Any) -> None:
    """make_invalid_tool_call keeps the raw name, arguments text and id, with the error."""
    assert lib.make_invalid_tool_call(_raw("f", "{bad"), "oops") == {
        "type": "invalid_tool_call",
        "id": "c1",
        "name": "f",
        "args": "{bad",
        "error": "oops",
    }


def _tool_chunks(lib: Any) -> list[Any]:
    args = '{"name": "Ada", "age": 36}'
    chunks = [
        lib.AIMessageChunk(
            content="", tool_call_chunks=[{"name": "Person", "args": "", "id": "call_1", "index": 0}]
        )
    ]
    chunks += [
        lib.AIMessageChunk(
            content="", tool_call_chunks=[{"name": None, "args": part, "id": None, "index": 0}]
        )
        for part in _chunks(args, 5)
    ]
    return chunks


def test_tool_parsers_stream_partial_calls(lib: Any) -> None:
    """Streaming a message with tool-call chunks yields the growing calls, as langchain-core."""
    growing = [{}, {"name": ""}, {"name": "Ada"}, {"name": "Ada", "age": 36}]
    calls = list(lib.JsonOutputToolsParser().transform(iter(_tool_chunks(lib))))
    assert calls == [[{"args": args, "type": "Person"}] for args in growing]
    keyed = lib.JsonOutputKeyToolsParser(key_name="Person", first_tool_only=True)
    assert list(keyed.transform(iter(_tool_chunks(lib)))) == growing
    objects = list(lib.PydanticToolsParser(tools=[Person]).transform(iter(_tool_chunks(lib))))
    assert objects == [[], [Person(name="Ada", age=36)]]
    return_ids = list(lib.JsonOutputToolsParser(return_id=True).transform(iter(_tool_chunks(lib))))
    assert return_ids[-1][0]["id"] == "call_1"


def test_tool_parser_streams_raw_openai_deltas_as_langchain_does(lib: Any) -> None:
    """Raw OpenAI deltas in additional_kwargs: the first chunk's parsed tool-call chunk decides
    `tool_calls` of the merged message (later deltas carry no name), so the parser yields the
    empty-args call once, exactly as langchain-core does."""

    def delta(function: dict[str, Any], **extra: Any) -> Any:
        return lib.AIMessageChunk(
            content="", additional_kwargs={"tool_calls": [{"index": 0, **extra, "function": function}]}
        )

    chunks = [
        delta({"name": "f", "arguments": '{"a"'}, id="c1", type="function"),
        delta({"arguments": ': 1, "b'}),
        delta({"arguments": '": [2]}'}),
    ]
    assert list(lib.JsonOutputToolsParser(return_id=True).transform(iter(chunks))) == [
        [{"args": {}, "id": "c1", "type": "f"}]
    ]


def test_tool_parser_without_tool_calls(lib: Any) -> None:
    """No tool calls: [] (also with first_tool_only); the key parser gives None then."""
    message = lib.AIMessage("plain")
    assert lib.JsonOutputToolsParser().invoke(message) == []
    assert lib.JsonOutputToolsParser(first_tool_only=True).invoke(message) == []
    assert lib.JsonOutputKeyToolsParser(key_name="x", first_tool_only=True).invoke(message) is None


def test_tool_parser_reads_raw_additional_kwargs(lib: Any) -> None:
    """Raw OpenAI tool calls in additional_kwargs are parsed; bad JSON raises."""
    good = lib.AIMessage("", additional_kwargs={"tool_calls": [_raw("f", '{"a": 1}')]})
    assert lib.JsonOutputToolsParser(return_id=True).invoke(good) == [
        {"args": {"a": 1}, "id": "c1", "type": "f"}
    ]
    bad = lib.AIMessage("", additional_kwargs={"tool_calls": [_raw("f", "{a: 1}")]})
    with pytest.raises(lib.OutputParserException, match="are not valid JSON"):
        lib.JsonOutputToolsParser().invoke(bad)


# -- legacy function calls ----------------------------------------------------------------------


def _function_message(lib: Any, arguments: Any, name: str = "Person") -> Any:
    return lib.AIMessage("", additional_kwargs={"function_call": {"name": name, "arguments": arguments}})


def test_function_parsers_values(lib: Any) -> None:
    """The five function-call parsers give langchain-core's values."""
    message = _function_message(lib, '{"name": "Ada", "age": 36}')
    assert lib.OutputFunctionsParser().invoke(message) == '{"name": "Ada", "age": 36}'
    assert lib.OutputFunctionsParser(args_only=False).invoke(message) == {
        "name": "Person",
        "arguments": '{"name": "Ada", "age": 36}',
    }
    assert lib.JsonOutputFunctionsParser().invoke(message) == {"name": "Ada", "age": 36}
    assert lib.JsonOutputFunctionsParser(args_only=False).invoke(message) == {
        "name": "Person",
        "arguments": {"name": "Ada", "age": 36},
    }
    assert lib.JsonKeyOutputFunctionsParser(key_name="age").invoke(message) == 36
    assert lib.PydanticOutputFunctionsParser(pydantic_schema=Person).invoke(message) == Person(
        name="Ada", age=36
    )
    assert lib.PydanticOutputFunctionsParser(pydantic_schema={"Person": Person}).invoke(message) == Person(
        name="Ada", age=36
    )
    assert (
        lib.PydanticAttrOutputFunctionsParser(pydantic_schema=Person, attr_name="name").invoke(message)
        == "Ada"
    )


def test_function_parsers_on_refusal(lib: Any) -> None:
    """A refusal: runwire's function parsers raise ModelRefusalError like its JSON and tool
    parsers; langchain-core's do not look for refusals and report a missing function call."""
    for parser in (lib.JsonOutputFunctionsParser(), lib.OutputFunctionsParser()):
        expected = lib.ModelRefusalError if lib.name == "runwire" else lib.OutputParserException
        with pytest.raises(expected):
            parser.invoke(_refusal(lib))


def test_function_parsers_errors(lib: Any) -> None:
    """Missing or invalid calls raise; runwire also refuses a malformed payload and non-dict
    arguments with OutputParserException where langchain-core returns None or a TypeError."""
    with pytest.raises(lib.OutputParserException, match="Could not parse function call"):
        lib.JsonOutputFunctionsParser().invoke(lib.AIMessage("no call"))
    with pytest.raises(lib.OutputParserException, match="Could not parse function call data"):
        lib.JsonOutputFunctionsParser().invoke(_function_message(lib, "{bad"))
    with pytest.raises(ValidationError):
        lib.PydanticOutputFunctionsParser(pydantic_schema=Person).invoke(
            _function_message(lib, '{"name": 1}')
        )
    with pytest.raises(ValueError, match="args_only should be False"):
        lib.PydanticOutputFunctionsParser(pydantic_schema={"Person": Person}, args_only=True)
    with pytest.raises(KeyError):
        lib.JsonKeyOutputFunctionsParser(key_name="missing").invoke(_function_message(lib, '{"a": 1}'))
    malformed = lib.AIMessage("", additional_kwargs={"function_call": {"name": "f"}})
    non_dict = _function_message(lib, "[1, 2]")
    if lib.name == "langchain_core":
        assert lib.JsonOutputFunctionsParser().invoke(malformed) is None
        with pytest.raises(TypeError):
            lib.JsonKeyOutputFunctionsParser(key_name="a").invoke(non_dict)
    else:
        with pytest.raises(lib.OutputParserException, match="expected \\{'name'"):
            lib.JsonOutputFunctionsParser().invoke(malformed)
        with pytest.raises(lib.OutputParserException, match="not a JSON object"):
            lib.JsonKeyOutputFunctionsParser(key_name="a").invoke(non_dict)


def test_json_functions_parser_streams_and_diffs(lib: Any) -> None:
    """Streamed function-call arguments yield growing objects, or patches with diff=True."""

    def chunks() -> list[Any]:
        first = [lib.AIMessageChunk("", additional_kwargs={"function_call": {"name": "f", "arguments": ""}})]
        return first + [
            lib.AIMessageChunk("", additional_kwargs={"function_call": {"arguments": part}})
            for part in _chunks('{"a": [1, 22]}', 3)
        ]

    values = list(lib.JsonOutputFunctionsParser().transform(iter(chunks())))
    assert values[-1] == {"a": [1, 22]}
    patches = list(lib.JsonOutputFunctionsParser(diff=True).transform(iter(chunks())))
    assert len(patches) == len(values)
    assert all(isinstance(p, list) for p in patches)


# -- XML ---------------------------------------------------------------------------------------

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<lolz>&lol4;</lolz>"""

EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<foo>&xxe;</foo>"""


def test_xml_parse_shapes(lib: Any) -> None:
    """Nested elements become dicts of lists; a fence and an XML declaration are skipped."""
    text = '```xml\n<?xml version="1.0" encoding="UTF-8"?>\n<a><b>1</b><c><d>2</d></c></a>\n```'
    assert lib.XMLOutputParser().parse(text) == {"a": [{"b": "1"}, {"c": [{"d": "2"}]}]}
    assert lib.XMLOutputParser().invoke(lib.AIMessage("<x>text</x>")) == {"x": "text"}
    assert (
        "Here are the output tags:\n```\n['a', 'b']\n```"
        in lib.XMLOutputParser(tags=["a", "b"]).get_format_instructions()
    )


def test_xml_streams_leaves_as_they_close(lib: Any) -> None:
    """Streaming yields each leaf element wrapped in its path, as soon as it closes."""
    text = "Sure: <a><b>1</b><c><d>2</d></c><e>3</e></a> done"
    out = list(lib.XMLOutputParser().transform(iter(_chunks(text, 4))))
    assert out == [{"a": [{"b": "1"}]}, {"a": [{"c": [{"d": "2"}]}]}, {"a": [{"e": "3"}]}]
    total = out[0] + out[1] + out[2]
    assert total == {"a": [{"b": "1"}, {"c": [{"d": "2"}]}, {"e": "3"}]}


@pytest.mark.parametrize("document", [BILLION_LAUGHS, EXTERNAL], ids=["billion_laughs", "external_entity"])
def test_xml_refuses_entities(lib: Any, document: str) -> None:
    """Entity declarations are refused, never expanded: runwire raises OutputParserException,
    langchain-core defusedxml's EntitiesForbidden on parse and a raw ParseError while streaming
    (where the DOCTYPE is skipped, so the entity is undefined)."""
    expected = lib.OutputParserException if lib.name == "runwire" else (ValueError, SyntaxError)
    with pytest.raises(expected):
        lib.XMLOutputParser().parse(document)
    with pytest.raises(expected):
        list(lib.XMLOutputParser().transform(iter(_chunks(document, 16))))


def test_xml_mis_shaped(lib: Any) -> None:
    """Mismatched tags raise OutputParserException on parse; while streaming langchain-core
    lets the raw ParseError out, runwire wraps it in OutputParserException."""
    with pytest.raises(lib.OutputParserException, match="Failed to parse XML format"):
        lib.XMLOutputParser().parse("<a><b>1</c></a>")
    with pytest.raises(lib.OutputParserException if lib.name == "runwire" else SyntaxError):
        list(lib.XMLOutputParser().transform(iter(["<a><b>1</c></a>"])))


# -- in a chain --------------------------------------------------------------------------------


def test_streaming_parsers_in_a_chain(lib: Any) -> None:
    """prompt | streaming chat model | parser streams the parser's items, and the parser's run
    is reported like any other step."""
    reply = "1. apples\n2. pears\n3. plums"
    model = lib.GenericFakeChatModel(messages=iter([lib.AIMessage(reply)]))
    chain = lib.ChatPromptTemplate.from_template("List {n} fruits") | model | lib.NumberedListOutputParser()
    recorder = lib.Recorder()
    assert list(chain.stream({"n": 3}, config={"callbacks": [recorder]})) == [
        ["apples"],
        ["pears"],
        ["plums"],
    ]
    assert [e.label for e in recorder.events.starts()][-1] == "NumberedListOutputParser"
    xml_model = lib.GenericFakeChatModel(
        messages=iter([lib.AIMessage("<fruits><a>apple</a><b>pear</b></fruits>")])
    )
    assert list((xml_model | lib.XMLOutputParser()).stream("x")) == [
        {"fruits": [{"a": "apple"}]},
        {"fruits": [{"b": "pear"}]},
    ]
