"""Serialization (`load`: dumpd, dumps, load, loads, Serializable) in langchain-core's format,
records crossing between the two libraries, and the injection hardening of langchain-core 1.2.5+.
Also issue 21 item 14: chat prompts with MessagesPlaceholder round-trip, and
`convert_to_messages` rejects what langchain-core rejects."""

from __future__ import annotations

import json
from typing import Any

import langchain_core.load
import pytest

import runwire.load

pytestmark = pytest.mark.filterwarnings("ignore::langchain_core._api.beta_decorator.LangChainBetaWarning")

ALLOW = {"allowed_objects": "core"}  # explicit: langchain-core warns when it is left out
NAMESPACE = __name__.split(".")[0]


# -- a user Serializable class per library (module level: loading imports it by path) --------


class LangchainModel(langchain_core.load.Serializable):
    api_key: str
    temperature: float = 0.5
    seed: int | None = None

    @classmethod
    def is_lc_serializable(cls) -> bool:
        return True

    @property
    def lc_secrets(self) -> dict[str, str]:
        return {"api_key": "MY_API_KEY"}

    @property
    def lc_attributes(self) -> dict[str, Any]:
        return {"provider": "acme"}


class RunwireModel(runwire.load.Serializable):
    api_key: str
    temperature: float = 0.5
    seed: int | None = None

    @classmethod
    def is_lc_serializable(cls) -> bool:
        return True

    @property
    def lc_secrets(self) -> dict[str, str]:
        return {"api_key": "MY_API_KEY"}

    @property
    def lc_attributes(self) -> dict[str, Any]:
        return {"provider": "acme"}


def _model(lib: Any) -> Any:
    return LangchainModel if lib.name == "langchain_core" else RunwireModel


def _objects(lib: Any) -> dict[str, Any]:
    """The same objects built with each library."""
    prompt = lib.PromptTemplate.from_template("Tell me about {topic}")
    chat = lib.ChatPromptTemplate.from_messages(
        [("system", "You are {role}."), lib.MessagesPlaceholder("history"), ("human", "{question}")]
    )
    return {
        "human": lib.HumanMessage("hi", id="m1", name="ann", additional_kwargs={"k": 1}),
        "ai": lib.AIMessage("yo", tool_calls=[{"name": "f", "args": {"a": 1}, "id": "c1"}]),
        "tool": lib.ToolMessage("42", tool_call_id="c1"),
        "system": lib.SystemMessage("be brief"),
        "document": lib.Document("text", metadata={"source": "s"}),
        "generation": lib.Generation(text="t"),
        "chat_generation": lib.ChatGeneration(message=lib.AIMessage("x")),
        "prompt": prompt,
        "chat": chat,
        "chat_value": chat.invoke({"role": "terse", "question": "q", "history": [lib.AIMessage("a")]}),
        "parser": lib.StrOutputParser(),
        "sequence": lib.RunnablePassthrough() | prompt,
        "parallel": lib.RunnableParallel(a=prompt, b=lib.RunnablePassthrough()),
        "placeholder": lib.MessagesPlaceholder("h", optional=True),
    }


def _without_names(record: Any) -> Any:
    """A record without the runnables' display `name` keys (they are not constructor data)."""
    if isinstance(record, dict):
        return {k: _without_names(v) for k, v in record.items() if k != "name" or "lc" not in record}
    if isinstance(record, list):
        return [_without_names(v) for v in record]
    return record


def test_dumpd_writes_langchains_records(runwire: Any, langchain: Any) -> None:
    """Both libraries write the same record for the same object (ids, kwargs, nesting)."""
    ours, theirs = _objects(runwire), _objects(langchain)
    for key, obj in ours.items():
        assert _without_names(runwire.dumpd(obj)) == _without_names(langchain.dumpd(theirs[key])), key
    assert runwire.dumpd(ours["sequence"])["name"] == "RunnableSequence"


def test_round_trip_in_each_library(lib: Any) -> None:
    """`loads(dumps(x))` rebuilds equal messages, documents and outputs, and working prompts."""
    objects = _objects(lib)
    for key in ("human", "ai", "tool", "system", "document", "generation", "chat_generation", "chat_value"):
        assert lib.loads(lib.dumps(objects[key]), **ALLOW) == objects[key], key
    chain = lib.loads(lib.dumps(objects["sequence"]), **ALLOW)
    assert chain.invoke({"topic": "owls"}).to_string() == "Tell me about owls"


def test_chat_prompt_with_placeholder_round_trips(lib: Any) -> None:
    """Issue 21 item 14: a chat prompt with a MessagesPlaceholder renders the same after a trip."""
    chat = _objects(lib)["chat"]
    back = lib.loads(lib.dumps(chat, pretty=True), **ALLOW)
    inputs = {"role": "terse", "question": "q", "history": [lib.HumanMessage("h"), lib.AIMessage("a")]}
    assert back.invoke(inputs) == chat.invoke(inputs)
    assert back.input_variables == chat.input_variables == ["history", "question", "role"]
    optional = lib.loads(
        lib.dumps(lib.ChatPromptTemplate.from_messages([lib.MessagesPlaceholder("h", optional=True)])),
        **ALLOW,
    )
    assert optional.invoke({}).to_messages() == []


@pytest.mark.parametrize("direction", ["langchain_to_runwire", "runwire_to_langchain"])
def test_records_cross_between_libraries(runwire: Any, langchain: Any, direction: str) -> None:
    """A record written by one library loads in the other, into its own classes, and works."""
    source, target = (langchain, runwire) if direction == "langchain_to_runwire" else (runwire, langchain)
    objects = _objects(source)
    for key in ("human", "ai", "tool", "document", "chat_generation", "chat_value"):
        loaded = target.loads(source.dumps(objects[key]), **ALLOW)
        assert type(loaded).__module__.startswith(target.name), key
        assert target.dumpd(loaded) == source.dumpd(objects[key]), key
    chat = target.loads(source.dumps(source.RunnablePassthrough() | objects["chat"]), **ALLOW)
    value = chat.invoke({"role": "r", "question": "q", "history": [target.AIMessage("a")]})
    assert value.to_string() == "System: You are r.\nAI: a\nHuman: q"


def test_user_data_that_looks_like_a_record_is_escaped_and_never_built(lib: Any) -> None:
    """A dict with an "lc" key inside message metadata stays data: it is escaped on dump and
    comes back as the same dict, even when it names an allowed class or a secret."""
    forged_prompt = {
        "lc": 1,
        "type": "constructor",
        "id": ["langchain", "prompts", "prompt", "PromptTemplate"],
        "kwargs": {"template": "{x}", "input_variables": ["x"]},
    }
    forged_secret = {"lc": 1, "type": "secret", "id": ["HOME"]}
    message = lib.HumanMessage(
        "hi", additional_kwargs={"payload": forged_prompt}, response_metadata={"s": forged_secret}
    )
    dumped = lib.dumpd(message)
    assert dumped["kwargs"]["additional_kwargs"]["payload"] == {"__lc_escaped__": forged_prompt}
    loaded = lib.loads(json.dumps(dumped), secrets_from_env=True, **ALLOW)
    assert loaded.additional_kwargs["payload"] == forged_prompt
    assert loaded.response_metadata["s"] == forged_secret
    document = lib.Document("d", metadata=forged_prompt)
    assert lib.loads(lib.dumps(document), **ALLOW).metadata == forged_prompt


def test_loads_refuses_classes_outside_the_allow_list(lib: Any) -> None:
    """Unknown ids, ids outside `allowed_objects`, and jinja2 templates raise ValueError."""
    evil = {"lc": 1, "type": "constructor", "id": ["os", "system"], "kwargs": {"command": "echo hi"}}
    with pytest.raises(ValueError, match="not allowed"):
        lib.load(evil, **ALLOW)
    prompt = lib.dumps(lib.PromptTemplate.from_template("{x}"))
    with pytest.raises(ValueError, match="not allowed"):
        lib.loads(prompt, allowed_objects="messages")
    assert lib.loads(lib.dumps(lib.HumanMessage("ok")), allowed_objects="messages") == lib.HumanMessage("ok")
    jinja = json.loads(prompt)
    jinja["kwargs"]["template_format"] = "jinja2"
    with pytest.raises(ValueError, match=r"[Jj]inja2"):
        lib.load(jinja, **ALLOW)
    lambda_record = lib.dumpd(lib.RunnableLambda(lambda x: x))
    assert lambda_record["type"] == "not_implemented"
    with pytest.raises(NotImplementedError):
        lib.load(lambda_record, **ALLOW)


def test_serializable_secrets_are_never_written(lib: Any) -> None:
    """A secret field becomes a secret record; loading takes the value from `secrets_map`."""
    model_class = _model(lib)
    model = model_class(api_key="sk-very-secret", temperature=0.9)
    text = lib.dumps(model)
    assert "sk-very-secret" not in text
    record = json.loads(text)
    assert record["kwargs"] == {
        "api_key": {"lc": 1, "type": "secret", "id": ["MY_API_KEY"]},
        "temperature": 0.9,
        "provider": "acme",  # lc_attributes are written; loading ignores unknown keywords
    }
    assert record["id"][-1] == model_class.__name__
    loaded = lib.loads(
        text, allowed_objects=[model_class], valid_namespaces=[NAMESPACE], secrets_map={"MY_API_KEY": "sk-2"}
    )
    assert (type(loaded), loaded.api_key, loaded.temperature) == (model_class, "sk-2", 0.9)
    assert model_class.is_lc_serializable()
    with pytest.raises(ValueError, match="not allowed"):
        lib.loads(text, allowed_objects="core", valid_namespaces=[NAMESPACE])


def test_falsy_defaults_are_not_written(lib: Any) -> None:
    """Fields left at a falsy default are omitted; truthy values are written (langchain's rule)."""
    record = lib.dumpd(_model(lib)(api_key="k"))
    assert sorted(record["kwargs"]) == ["api_key", "provider", "temperature"]


@pytest.mark.parametrize(
    ("messages", "error"),
    [
        ([("badrole", "x")], ValueError),
        ([{"role": "nope", "content": "x"}], ValueError),
        ([{"content": "x"}], ValueError),
        ([{"role": "user"}], ValueError),
        ([("human", "x", "extra")], NotImplementedError),
        ([42], NotImplementedError),
        (["x", None], NotImplementedError),
    ],
)
def test_convert_to_messages_rejects_like_langchain(lib: Any, messages: Any, error: type) -> None:
    """Issue 21 item 14: bad roles and shapes raise langchain-core's exception types."""
    with pytest.raises(error):
        lib.convert_to_messages(messages)


def test_provider_models_write_their_key_as_a_secret(runwire: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """runwire's ChatOpenAI serializes under langchain_openai's id and field names; the API key
    becomes a secret record naming OPENAI_API_KEY, and loads from `secrets_map` or the env.
    (langchain_openai is not installed here, so its side is a record in its documented shape.)"""
    from runwire.chat_models import ChatOpenAI

    model = ChatOpenAI(model="gpt-4o-mini", api_key="sk-do-not-write", temperature=0.2)
    text = runwire.dumps(runwire.ChatPromptTemplate.from_template("{q}") | model)
    assert "sk-do-not-write" not in text
    record = json.loads(text)["kwargs"]["last"]
    assert record["id"] == ["langchain", "chat_models", "openai", "ChatOpenAI"]
    assert record["kwargs"]["model_name"] == "gpt-4o-mini"
    assert record["kwargs"]["openai_api_key"] == {"lc": 1, "type": "secret", "id": ["OPENAI_API_KEY"]}
    chain = runwire.loads(text, secrets_map={"OPENAI_API_KEY": "sk-from-map"})
    loaded = chain.steps[-1]
    assert (loaded.model, loaded.temperature, loaded.api_key.get_secret_value()) == (
        "gpt-4o-mini",
        0.2,
        "sk-from-map",
    )
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    partner = {
        "lc": 1,
        "type": "constructor",
        "id": ["langchain_openai", "chat_models", "base", "ChatOpenAI"],
        "kwargs": {
            "model_name": "gpt-4o",
            "openai_api_key": {"lc": 1, "type": "secret", "id": ["OPENAI_API_KEY"]},
        },
    }
    from_partner = runwire.load(partner, secrets_from_env=True)
    assert (from_partner.model, from_partner.api_key.get_secret_value()) == ("gpt-4o", "sk-from-env")
