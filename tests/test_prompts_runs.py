"""Prompts report to handlers as chain runs with `run_type="prompt"`, sync and async alike."""

from __future__ import annotations

from typing import Any

import pytest

from runwire.callbacks import BaseCallbackHandler
from runwire.messages import AIMessage, HumanMessage
from runwire.output_parsers import StrOutputParser
from runwire.prompt_values import ChatPromptValue, StringPromptValue
from runwire.prompts import ChatPromptTemplate, PromptTemplate
from runwire.runnables import RunnableLambda


class Recorder(BaseCallbackHandler):
    """Records chain events as `(event, payload, kwargs)`."""

    def __init__(self) -> None:
        self.events: list[tuple[str, Any, dict[str, Any]]] = []

    def on_chain_start(self, serialized: dict[str, Any], inputs: Any, **kwargs: Any) -> None:
        self.events.append(("start", inputs, {"serialized": serialized, **kwargs}))

    def on_chain_end(self, outputs: Any, **kwargs: Any) -> None:
        self.events.append(("end", outputs, kwargs))

    def on_chain_error(self, error: BaseException, **kwargs: Any) -> None:
        self.events.append(("error", error, kwargs))

    def summary(self) -> list[tuple[str, Any, Any]]:
        """(event, payload, name or run_type) per event."""
        return [(e, p, k.get("name") if e == "start" else None) for e, p, k in self.events]


def test_chat_prompt_reports_one_prompt_run_with_inputs_and_output() -> None:
    """A chat prompt's run starts with its input dict and name, typed "prompt", and ends
    with the ChatPromptValue it returned."""
    recorder = Recorder()
    prompt = ChatPromptTemplate.from_template("What is 1 + {number}?")
    value = prompt.invoke({"number": "2"}, config={"callbacks": [recorder]})
    assert recorder.summary() == [("start", {"number": "2"}, "ChatPromptTemplate"), ("end", value, None)]
    start = recorder.events[0][2]
    assert start["run_type"] == "prompt"
    assert start["serialized"]["name"] == "ChatPromptTemplate"
    assert isinstance(value, ChatPromptValue)


def test_string_prompt_reports_a_prompt_run() -> None:
    """A PromptTemplate's run is named PromptTemplate, typed "prompt", ending with its value."""
    recorder = Recorder()
    value = PromptTemplate.from_template("hi {x}").invoke({"x": 1}, config={"callbacks": [recorder]})
    assert recorder.summary() == [
        ("start", {"x": 1}, "PromptTemplate"),
        ("end", StringPromptValue(text="hi 1"), None),
    ]
    assert recorder.events[0][2]["run_type"] == "prompt"
    assert value.text == "hi 1"


def test_run_name_in_config_renames_the_prompt_run() -> None:
    """`run_name` in the config names the prompt's run."""
    recorder = Recorder()
    PromptTemplate.from_template("x").invoke({}, config={"callbacks": [recorder], "run_name": "greeting"})
    assert recorder.events[0][2]["name"] == "greeting"


def test_missing_variable_ends_the_run_with_one_error_event() -> None:
    """A missing variable fires exactly one terminal event: on_chain_error with the KeyError."""
    recorder = Recorder()
    with pytest.raises(KeyError):
        PromptTemplate.from_template("{x}").invoke({}, config={"callbacks": [recorder]})
    assert [e for e, _, _ in recorder.events] == ["start", "error"]
    assert isinstance(recorder.events[1][1], KeyError)


def test_prompt_in_a_chain_is_a_child_run() -> None:
    """In `prompt | model | parser` the prompt and parser runs are children of the sequence."""
    recorder = Recorder()
    chain = (
        ChatPromptTemplate.from_template("q {x}")
        | RunnableLambda(lambda value: AIMessage(value.to_messages()[0].content.upper()))
        | StrOutputParser()
    )
    assert chain.invoke({"x": 1}, config={"callbacks": [recorder]}) == "Q 1"
    starts = [(k["name"], k.get("run_type")) for e, _, k in recorder.events if e == "start"]
    assert starts == [("RunnableSequence", None), ("ChatPromptTemplate", "prompt"),
                      ("RunnableLambda", None), ("StrOutputParser", "parser")]  # fmt: skip
    root = recorder.events[0][2]["run_id"]
    prompt_start = recorder.events[1][2]
    assert prompt_start["parent_run_id"] == root
    assert "seq:step:1" in prompt_start["tags"]


async def test_ainvoke_gives_the_same_value_and_events_as_invoke() -> None:
    """ainvoke returns the same value and fires the same events as invoke."""
    prompt = ChatPromptTemplate.from_messages([("system", "s {a}"), ("placeholder", "{h}"), ("human", "{q}")])
    inputs = {"a": 1, "q": "hi", "h": [("ai", "earlier")]}
    sync_recorder, async_recorder = Recorder(), Recorder()
    sync_value = prompt.invoke(inputs, config={"callbacks": [sync_recorder]})
    async_value = await prompt.ainvoke(inputs, config={"callbacks": [async_recorder]})
    assert async_value == sync_value
    assert async_recorder.summary() == sync_recorder.summary()
    assert async_recorder.events[0][2]["run_type"] == "prompt"


async def test_async_formatting_methods_match_sync_ones() -> None:
    """aformat, aformat_prompt and aformat_messages give what their sync twins give."""
    prompt = ChatPromptTemplate.from_messages([("human", "{q}")])
    assert await prompt.aformat_messages(q="x") == prompt.format_messages(q="x") == [HumanMessage("x")]
    assert await prompt.aformat(q="x") == prompt.format(q="x")
    assert await prompt.aformat_prompt(q="x") == prompt.format_prompt(q="x")


async def test_ainvoke_missing_variable_fires_one_error() -> None:
    """Under ainvoke a missing variable also fires exactly one error event."""
    recorder = Recorder()
    with pytest.raises(KeyError, match=r"missing variables \{'q'\}"):
        await ChatPromptTemplate.from_template("{q}").ainvoke({}, config={"callbacks": [recorder]})
    assert [e for e, _, _ in recorder.events] == ["start", "error"]
