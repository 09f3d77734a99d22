"""`configurable_fields` and `configurable_alternatives`: values read from
`config["configurable"]` at invoke, in `with_config`, per batch input and in nested runnables,
with langchain-core's config specs, config schemas and errors."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest


def _model(lib: Any, *responses: str) -> Any:
    return lib.FakeListChatModel(responses=list(responses or ["a"]))


def _responsive(lib: Any) -> Any:
    field = lib.ConfigurableField(id="resp", name="Responses", description="what to say")
    return _model(lib).configurable_fields(responses=field)


def test_field_values_come_from_configurable(lib: Any) -> None:
    """invoke, with_config, batch (one config per input), ainvoke and stream all read the value."""
    model = _responsive(lib)
    assert model.invoke("x").content == "a"
    assert model.invoke("x", {"configurable": {"resp": ["b"]}}).content == "b"
    assert model.with_config(configurable={"resp": ["c"]}).invoke("x").content == "c"
    outs = model.batch(["x", "y"], [{"configurable": {"resp": ["d"]}}, {}])
    assert [o.content for o in outs] == ["d", "a"]
    assert asyncio.run(model.ainvoke("x", {"configurable": {"resp": ["e"]}})).content == "e"
    assert [c.content for c in model.stream("x", {"configurable": {"resp": ["fg"]}})] == ["f", "g"]


def test_nested_configurable_in_a_chain(lib: Any) -> None:
    """A configurable step inside a sequence reads the chain's config; the chain reports its specs."""
    chain = lib.PromptTemplate.from_template("{q}") | _responsive(lib)
    assert chain.invoke({"q": "x"}, {"configurable": {"resp": ["n"]}}).content == "n"
    assert [spec.id for spec in chain.config_specs] == ["resp"]
    schema = chain.get_config_jsonschema()
    assert schema["$defs"]["Configurable"]["properties"]["resp"] == {
        "default": ["a"],
        "description": "what to say",
        "items": {"type": "string"},
        "title": "Responses",
        "type": "array",
    }


def test_unknown_field_is_a_value_error(lib: Any) -> None:
    """Only existing fields can be made configurable."""
    with pytest.raises(ValueError, match="Configuration key nope not found in"):
        _model(lib).configurable_fields(nope=lib.ConfigurableField(id="n"))


def test_single_and_multi_option_fields(lib: Any) -> None:
    """Options are chosen by key (the default when not given); an unknown key is a KeyError;
    the config schema lists the keys as an enum."""
    options = lib.ConfigurableFieldSingleOption(id="tpl", options={"a": "A {x}", "b": "B {x}"}, default="a")
    prompt = lib.PromptTemplate.from_template("{x}").configurable_fields(template=options)
    assert prompt.invoke({"x": 1}).to_string() == "A 1"
    assert prompt.invoke({"x": 1}, {"configurable": {"tpl": "b"}}).to_string() == "B 1"
    with pytest.raises(KeyError):
        prompt.invoke({"x": 1}, {"configurable": {"tpl": "c"}})
    assert prompt.get_config_jsonschema()["$defs"]["tpl"] == {
        "enum": ["a", "b"],
        "title": "tpl",
        "type": "string",
    }
    multi = lib.ConfigurableFieldMultiOption(id="vars", options={"x": "x", "y": "y"}, default=["x"])
    spec = lib.PromptTemplate.from_template("{x}").configurable_fields(input_variables=multi).config_specs[0]
    assert (spec.id, spec.default) == ("vars", ["x"])


def test_alternatives(lib: Any) -> None:
    """`configurable_alternatives` picks the default or a named alternative; an unknown name is a
    ValueError; the specs offer every key."""
    field = lib.ConfigurableField(id="prompt")
    loud = lib.PromptTemplate.from_template("{x}!!")
    prompt = lib.PromptTemplate.from_template("{x}").configurable_alternatives(
        field, default_key="plain", shout=loud
    )
    assert prompt.invoke({"x": "q"}).to_string() == "q"
    assert prompt.invoke({"x": "q"}, {"configurable": {"prompt": "shout"}}).to_string() == "q!!"
    with pytest.raises(ValueError, match="Unknown alternative: zzz"):
        prompt.invoke({"x": "q"}, {"configurable": {"prompt": "zzz"}})
    assert prompt.get_config_jsonschema()["$defs"]["prompt"]["enum"] == ["shout", "plain"]


def test_alternatives_with_prefixed_keys(lib: Any) -> None:
    """With `prefix_keys=True` each alternative's own fields are addressed as `which==key/field`."""
    other = _model(lib, "o").configurable_fields(responses=lib.ConfigurableField(id="resp2"))
    chosen = _responsive(lib).configurable_alternatives(
        lib.ConfigurableField(id="llm"), prefix_keys=True, other=other
    )
    assert [s.id for s in chosen.config_specs] == ["llm", "llm==default/resp", "llm==other/resp2"]
    config = {"configurable": {"llm": "other", "llm==other/resp2": ["p"]}}
    assert chosen.invoke("x", config).content == "p"
    assert chosen.invoke("x", {"configurable": {"llm==default/resp": ["q"]}}).content == "q"


def test_config_field_spec_records(lib: Any) -> None:
    """The records compare and hash like langchain-core's NamedTuples."""
    spec = lib.ConfigurableFieldSpec(id="k", annotation=str)
    assert spec == lib.ConfigurableFieldSpec(id="k", annotation=str, default=None)
    assert spec._replace(id="j").id == "j"
    assert hash(lib.ConfigurableField(id="a")) == hash(lib.ConfigurableField(id="a", name="other name"))
