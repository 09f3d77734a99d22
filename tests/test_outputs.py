"""Outputs (generations, chat results, LLMResult) print, compare and merge like langchain-core's."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import langchain_core.messages as lc_messages
import langchain_core.outputs as lc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import runwire.messages as rw_messages
import runwire.outputs as rw
from runwire.messages import AIMessage, AIMessageChunk, HumanMessage
from runwire.outputs import (
    ChatGeneration,
    ChatGenerationChunk,
    ChatResult,
    Generation,
    GenerationChunk,
    LLMResult,
    RunInfo,
    merge_chat_generation_chunks,
)

RUN_ID = uuid.UUID(int=1)


def make(spec: Any, messages: Any, outputs: Any) -> Any:
    """Build a nested output from a spec: (class name, kwargs), lists, or plain values."""
    if isinstance(spec, tuple) and len(spec) == 2 and isinstance(spec[0], str):
        name, kwargs = spec
        module = outputs if hasattr(outputs, name) else messages
        return getattr(module, name)(**{k: make(v, messages, outputs) for k, v in kwargs.items()})
    if isinstance(spec, list):
        return [make(item, messages, outputs) for item in spec]
    return copy.deepcopy(spec)


def both(spec: Any) -> tuple[Any, Any]:
    """The same output built by runwire and by langchain-core."""
    return make(spec, rw_messages, rw), make(spec, lc_messages, lc)


AI = ("AIMessage", {"content": "1 + 2 = 3", "id": "run-x-0"})
AI_CHUNK = ("AIMessageChunk", {"content": "1 + 2", "id": "run-x-0", "chunk_position": "last"})
CHAT_GENERATION = ("ChatGeneration", {"message": AI})

SPECS: list[Any] = [
    ("Generation", {"text": "hello"}),
    ("Generation", {"text": "", "generation_info": {"finish_reason": "stop"}}),
    ("GenerationChunk", {"text": "a", "generation_info": {"logprobs": None}}),
    CHAT_GENERATION,
    ("ChatGeneration", {"message": ("AIMessage", {"content": ""}), "generation_info": {"x": 1}}),
    (
        "ChatGeneration",
        {"message": ("AIMessage", {"content": [{"text": "legacy "}, {"type": "text", "text": "new"}, "s"]})},
    ),
    (
        "ChatGeneration",
        {
            "message": (
                "AIMessage",
                {"content": [{"type": "text", "text": "a"}, {"type": "image", "url": "u"}]},
            )
        },
    ),
    ("ChatGeneration", {"message": ("HumanMessage", {"content": "from a human"}), "text": "ignored"}),
    ("ChatGenerationChunk", {"message": AI_CHUNK}),
    ("ChatResult", {"generations": [CHAT_GENERATION]}),
    ("ChatResult", {"generations": [], "llm_output": {"token_usage": {"total": 3}}}),
    ("LLMResult", {"generations": [[CHAT_GENERATION]]}),
    (
        "LLMResult",
        {
            "generations": [[("Generation", {"text": "t"})], []],
            "llm_output": {"model": "m"},
            "run": [("RunInfo", {"run_id": RUN_ID})],
        },
    ),
    ("LLMResult", {"generations": [[("ChatGenerationChunk", {"message": AI_CHUNK})]]}),
    ("RunInfo", {"run_id": str(RUN_ID)}),
]


@pytest.mark.reference
@pytest.mark.parametrize("spec", SPECS)
def test_repr_and_str_match_langchain(spec: Any) -> None:
    """repr() and str() of outputs, nested messages included, are langchain-core's."""
    ours, theirs = both(spec)
    assert repr(ours) == repr(theirs)
    assert str(ours) == str(theirs)


def test_llm_result_str_is_what_a_logging_handler_prints() -> None:
    """The seed example's on_llm_end line: str(LLMResult) with the generation's message repr."""
    result = LLMResult(generations=[[ChatGeneration(message=AIMessage(content="1 + 2 = 3", id="run-x-0"))]])
    assert str(result) == (
        "generations=[[ChatGeneration(text='1 + 2 = 3', message=AIMessage(content='1 + 2 = 3', "
        "additional_kwargs={}, response_metadata={}, id='run-x-0', tool_calls=[], invalid_tool_calls=[]))]] "
        "llm_output=None run=None type='LLMResult'"
    )


@pytest.mark.reference
@settings(max_examples=200, deadline=None)
@given(
    text=st.text(max_size=8),
    info=st.none()
    | st.dictionaries(st.sampled_from(["finish_reason", "n"]), st.text(max_size=3), max_size=2),
    llm_output=st.none()
    | st.dictionaries(st.sampled_from(["model", "usage"]), st.integers(0, 9), max_size=2),
    chunk=st.booleans(),
)
def test_generated_results_print_like_langchain(text: str, info: Any, llm_output: Any, chunk: bool) -> None:
    """Any text, generation_info and llm_output print as in langchain-core."""
    message = ("AIMessageChunk" if chunk else "AIMessage", {"content": text})
    generation = (
        "ChatGenerationChunk" if chunk else "ChatGeneration",
        {"message": message, "generation_info": info},
    )
    ours, theirs = both(
        (
            "LLMResult",
            {"generations": [[generation, ("Generation", {"text": text})]], "llm_output": llm_output},
        )
    )
    assert (repr(ours), str(ours)) == (repr(theirs), str(theirs))


def test_chat_generation_text_follows_the_message() -> None:
    """A ChatGeneration's text is the message text; a text argument is ignored."""
    generation = ChatGeneration(message=AIMessage(["a", {"type": "text", "text": "b"}]), text="other")
    assert generation.text == "ab"


def test_equality_is_by_class_and_fields() -> None:
    """Generations are equal when class and fields agree; a chunk never equals a generation."""
    assert Generation(text="a") == Generation(text="a")
    assert Generation(text="a") != GenerationChunk(text="a")
    assert ChatGeneration(message=AIMessage("x")) == ChatGeneration(message=AIMessage("x"))
    assert ChatGeneration(message=AIMessage("x")) != ChatGeneration(message=AIMessage("y"))


def test_llm_result_equality_ignores_run_info() -> None:
    """LLMResults with the same generations and llm_output are equal whatever their run info."""
    generations = [[Generation(text="a")]]
    assert LLMResult(generations=generations, run=[RunInfo(run_id=RUN_ID)]) == LLMResult(
        generations=generations
    )
    assert LLMResult(generations=generations, llm_output={"a": 1}) != LLMResult(generations=generations)


def test_outputs_are_unhashable() -> None:
    """Like pydantic models, outputs cannot be hashed."""
    with pytest.raises(TypeError):
        hash(LLMResult(generations=[]))


@pytest.mark.reference
def test_flatten_matches_langchain() -> None:
    """flatten() gives one result per prompt; token usage is kept only on the first."""
    spec = (
        "LLMResult",
        {
            "generations": [[("Generation", {"text": "a"})], [("Generation", {"text": "b"})]],
            "llm_output": {"token_usage": {"total": 5}, "model": "m"},
        },
    )
    ours, theirs = both(spec)
    assert [repr(r) for r in ours.flatten()] == [repr(r) for r in theirs.flatten()]
    assert ours.llm_output == {"token_usage": {"total": 5}, "model": "m"}


CHUNK_STREAMS: list[list[Any]] = [
    [
        ("GenerationChunk", {"text": "Hel", "generation_info": {"a": "x"}}),
        ("GenerationChunk", {"text": "lo", "generation_info": {"a": "y", "n": 1}}),
    ],
    [("GenerationChunk", {"text": "a"}), ("GenerationChunk", {"text": "b"})],
    [
        ("ChatGenerationChunk", {"message": ("AIMessageChunk", {"content": "Hel", "id": "lc_run-1"})}),
        (
            "ChatGenerationChunk",
            {
                "message": (
                    "AIMessageChunk",
                    {
                        "content": "lo",
                        "usage_metadata": {"input_tokens": 1, "output_tokens": 2, "total_tokens": 3},
                    },
                ),
                "generation_info": {"finish_reason": "stop"},
            },
        ),
    ],
    [
        (
            "ChatGenerationChunk",
            {"message": ("AIMessageChunk", {"content": "a"}), "generation_info": {"k": "v"}},
        ),
        ("ChatGenerationChunk", {"message": ("AIMessageChunk", {"content": "b", "chunk_position": "last"})}),
        (
            "ChatGenerationChunk",
            {"message": ("AIMessageChunk", {"content": "c"}), "generation_info": {"k": "w"}},
        ),
    ],
]


@pytest.mark.reference
@pytest.mark.parametrize("as_list", [False, True])
@pytest.mark.parametrize("stream", CHUNK_STREAMS)
def test_chunk_addition_matches_langchain(stream: list[Any], as_list: bool) -> None:
    """Adding generation chunks merges text or messages and generation_info as langchain-core does."""

    def total(chunks: list[Any]) -> Any:
        if as_list and hasattr(chunks[0], "message"):
            return chunks[0] + chunks[1:]
        result = chunks[0]
        for chunk in chunks[1:]:
            result = result + chunk
        return result

    ours, theirs = both(stream)
    assert repr(total(ours)) == repr(total(theirs))


def test_merge_chat_generation_chunks_handles_empty_and_single() -> None:
    """No chunks merge to None, one chunk to itself, several to their sum."""
    chunks = [ChatGenerationChunk(message=AIMessageChunk(text)) for text in ("a", "b", "c")]
    assert merge_chat_generation_chunks([]) is None
    assert merge_chat_generation_chunks(chunks[:1]) is chunks[0]
    merged = merge_chat_generation_chunks(chunks)
    assert merged is not None
    assert merged.text == "abc"


def test_adding_a_generation_to_a_chat_chunk_is_a_type_error() -> None:
    """Chunks add only to chunks of their kind; the error names both operand types."""
    with pytest.raises(TypeError, match=r"ChatGenerationChunk.*Generation"):
        ChatGenerationChunk(message=AIMessageChunk("a")) + Generation(text="b")  # type: ignore[operator]


@pytest.mark.parametrize(
    ("build", "fragment"),
    [
        (lambda: Generation(text=3), "Generation text must be a str, got int"),
        (lambda: Generation(), "Generation needs text="),
        (lambda: ChatGeneration(message="hi"), "ChatGeneration message must be a BaseMessage, got str"),
        (lambda: ChatGenerationChunk(message=AIMessage("x")), "must be a BaseMessageChunk, got AIMessage"),
        (
            lambda: ChatResult(generations=[Generation(text="x")]),
            "must hold ChatGeneration objects, got Generation",
        ),
        (lambda: LLMResult(generations=[Generation(text="x")]), "must be a list of lists of Generation"),
        (lambda: RunInfo(run_id=5), "run_id must be a UUID"),
        (
            lambda: Generation(text="x", generation_info=[1]),
            "generation_info must be a dict or None, got list",
        ),
    ],
)
def test_bad_fields_are_rejected_with_what_was_expected(build: Any, fragment: str) -> None:
    """Wrong values raise an error (TypeError and ValueError) saying what was expected and what came."""
    with pytest.raises(ValueError) as caught:
        build()
    assert isinstance(caught.value, TypeError)
    assert fragment in str(caught.value)


def test_run_info_parses_a_string_id() -> None:
    """A run id given as text becomes a UUID."""
    assert RunInfo(run_id=str(RUN_ID)).run_id == RUN_ID


def test_model_dump_nests_dicts_and_keeps_the_whole_message() -> None:
    """model_dump() turns nested outputs and messages into dicts, tool calls included."""
    message = AIMessage("x", tool_calls=[{"name": "f", "args": {}, "id": "1"}])
    dumped = LLMResult(generations=[[ChatGeneration(message=message)]]).model_dump()
    assert dumped["type"] == "LLMResult"
    assert dumped["generations"][0][0]["message"]["tool_calls"] == [
        {"name": "f", "args": {}, "id": "1", "type": "tool_call"}
    ]


def test_chat_generation_accepts_any_message() -> None:
    """A ChatGeneration may hold any message, not only AI ones."""
    assert ChatGeneration(message=HumanMessage("q")).text == "q"
