"""Usage metadata per model, and `get_usage_metadata_callback()` leaving no global state."""

from __future__ import annotations

import asyncio
import itertools

from runwire.callbacks import UsageMetadataCallbackHandler, get_usage_metadata_callback
from runwire.callbacks.context import scoped_handlers
from runwire.language_models import GenericFakeChatModel
from runwire.messages import AIMessage
from runwire.runnables import RunnableLambda


def _model(name: str | None, input_tokens: int = 5, output_tokens: int = 2) -> GenericFakeChatModel:
    metadata = {"model_name": name} if name else {}
    usage = {
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "total_tokens": input_tokens + output_tokens,
    }
    return GenericFakeChatModel(
        messages=itertools.repeat(AIMessage(content="ok", response_metadata=metadata, usage_metadata=usage))
    )


def test_usage_is_summed_per_model_name() -> None:
    """Two calls to one model and one to another give two entries with summed counts."""
    handler = UsageMetadataCallbackHandler()
    a, b = _model("model-a"), _model("model-b", 1, 1)
    for model in (a, a, b):
        model.invoke("hi", {"callbacks": [handler]})
    assert handler.usage_metadata == {
        "model-a": {"input_tokens": 10, "output_tokens": 4, "total_tokens": 14},
        "model-b": {"input_tokens": 1, "output_tokens": 1, "total_tokens": 2},
    }


def test_usage_without_a_model_name_is_kept_under_a_fallback_key() -> None:
    """A provider that reports no model name still has its tokens counted (langchain drops them)."""
    handler = UsageMetadataCallbackHandler()
    _model(None).invoke("hi", {"callbacks": [handler]})
    assert handler.usage_metadata == {"unknown": {"input_tokens": 5, "output_tokens": 2, "total_tokens": 7}}


def test_context_manager_hears_runs_nested_anywhere_in_the_block() -> None:
    """Inside the block, a model called inside a lambda with no config is counted."""
    model = _model("m")
    with get_usage_metadata_callback() as usage:
        RunnableLambda(lambda x: model.invoke(x)).invoke("hi")
        asyncio.run(model.ainvoke("hi"))
    assert usage.usage_metadata["m"]["total_tokens"] == 14
    model.invoke("hi")  # after the block: not counted
    assert usage.usage_metadata["m"]["total_tokens"] == 14


def test_ten_thousand_uses_leave_no_global_state() -> None:
    """Entering the context manager 10,000 times grows nothing
    (langchain-core leaks a hook per use, #32300)."""
    model = _model("m")
    for _ in range(10_000):
        with get_usage_metadata_callback():
            pass
    assert not scoped_handlers.get()
    with get_usage_metadata_callback() as usage:
        model.invoke("hi")
    assert usage.usage_metadata["m"]["input_tokens"] == 5
