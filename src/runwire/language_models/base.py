"""Language models as runnables: the run a model call makes, shared by chat and text models.

A model run is an LLM run (`on_chat_model_start`/`on_llm_start` ... `on_llm_end`/`on_llm_error`)
whose constructor `callbacks`, `tags` and `metadata` are local to it, after the runtime ones.
Everything a start event needs (invocation params, `ls_*` metadata, serialized) is built only
when a handler listens. Not here: what a model generates (subclasses implement `_generate`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from runwire._fields import Fields
from runwire.callbacks.manager import (
    AsyncCallbackManagerForLLMRun,
    CallbackManagerForLLMRun,
    open_run,
)
from runwire.runnables.base import Runnable
from runwire.runnables.function import accepted_kwargs

_PROVIDERS: dict[type, str] = {}  # `_provider()` by class: read on every listened-to model run


class BaseLanguageModel(Fields, Runnable[Any, Any]):
    """Shared fields and run plumbing of chat and text models."""

    callbacks: Any = None
    tags: list[str] | None = None
    metadata: dict[str, Any] | None = None
    verbose: bool = False
    cache: Any = None
    custom_get_token_ids: Any = None

    _run_cls: ClassVar[type] = CallbackManagerForLLMRun
    _arun_cls: ClassVar[type] = AsyncCallbackManagerForLLMRun
    _takes_run_manager: ClassVar[bool] = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # Whether `_generate` accepts `run_manager` is read once per class, not per call.
        generate = cls.__dict__.get("_generate") or getattr(cls, "_generate", None)
        if generate is not None:
            cls._takes_run_manager = "run_manager" in accepted_kwargs(generate) or _takes_var_kw(generate)

    def __init__(self, **kwargs: Any) -> None:
        Fields.__init__(self, **kwargs)

    @property
    def _llm_type(self) -> str:
        return type(self).__name__

    @property
    def InputType(self) -> Any:
        """What a model accepts: a string, a prompt value or a list of messages."""
        from runwire.messages import BaseMessage
        from runwire.prompt_values import ChatPromptValueConcrete, StringPromptValue

        return str | StringPromptValue | ChatPromptValueConcrete | list[BaseMessage]

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {}

    def _get_invocation_params(self, stop: list[str] | None = None, **kwargs: Any) -> dict[str, Any]:
        return {**self._identifying_params, "_type": self._llm_type, "stop": stop, **kwargs}

    def _provider(self) -> str:
        cls = type(self)
        name = _PROVIDERS.get(cls)
        if name is None:
            name = cls.__name__
            if name.startswith("Chat"):
                name = name[4:]
            elif name.endswith("Chat"):
                name = name[:-4]
            name = _PROVIDERS[cls] = name.lower()
        return name

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> dict[str, Any]:
        """langchain's `ls_*` metadata: provider, model type and the common sampling settings."""
        params: dict[str, Any] = {"ls_provider": self._provider(), "ls_model_type": self._ls_model_type}
        model = kwargs.get("model") or getattr(self, "model_name", None) or getattr(self, "model", None)
        if isinstance(model, str):
            params["ls_model_name"] = model
        temperature = kwargs.get("temperature", getattr(self, "temperature", None))
        if isinstance(temperature, int | float):
            params["ls_temperature"] = temperature
        max_tokens = kwargs.get("max_tokens", getattr(self, "max_tokens", None))
        if isinstance(max_tokens, int):
            params["ls_max_tokens"] = max_tokens
        stop = stop or kwargs.get("stop") or getattr(self, "stop", None)
        if stop:
            params["ls_stop"] = stop if isinstance(stop, list) else [stop]
        return params

    _ls_model_type: ClassVar[str] = "chat"

    def _open(self, config: Any, stop: list[str] | None, kwargs: dict[str, Any], async_: bool) -> Any:
        """Open this call's run (None if nobody listens) with the model's metadata merged in."""
        run = open_run(self._arun_cls if async_ else self._run_cls, config, self.callbacks, self.tags, None)
        if run is not None:
            params = self._get_ls_params(stop, **kwargs)  # a fresh dict: kept as is when alone
            own = self.metadata
            run._md = {**run._md, **params, **(own or {})} if run._md or own else params
        return run

    def _start_kw(self, config: Any, stop: list[str] | None, kwargs: dict[str, Any]) -> dict[str, Any]:
        return {
            "invocation_params": self._get_invocation_params(stop=stop, **kwargs),
            "options": {"stop": stop, **kwargs},
            "batch_size": 1,
        }

    def _run_name(self, config: Any) -> str:
        return (config and config.get("run_name")) or self.get_name()

    # -- token counting (langchain-core's API) ------------------------------------------------------

    def get_token_ids(self, text: str) -> list[int]:
        """The token ids of `text`: `custom_get_token_ids` if set, else the model's own tokenizer
        where it has one, else GPT-2's from the `transformers` package (as langchain-core)."""
        if self.custom_get_token_ids is not None:
            return list(self.custom_get_token_ids(text))
        return _gpt2_token_ids(text)

    def get_num_tokens(self, text: str) -> int:
        """How many tokens `text` is."""
        return len(self.get_token_ids(text))

    def get_num_tokens_from_messages(self, messages: list[Any], tools: Sequence[Any] | None = None) -> int:
        """The tokens of each message rendered as `Role: text`, summed (tool schemas not counted)."""
        if tools is not None:
            import warnings

            warnings.warn(
                "Counting tokens in tool schemas is not yet supported. Ignoring tools.", stacklevel=2
            )
        from runwire.messages import get_buffer_string

        return sum(self.get_num_tokens(get_buffer_string([message])) for message in messages)

    def __repr__(self) -> str:
        return Fields.__repr__(self)


_GPT2: list[Any] = []


def _gpt2_token_ids(text: str) -> list[int]:
    if not _GPT2:
        try:
            from transformers import GPT2TokenizerFast  # type: ignore[import-not-found]
        except ImportError as exc:
            from runwire._optional import MissingDependencyError

            # langchain-core's text first (code may match on it), then runwire's ways out.
            raise MissingDependencyError(
                "Could not import transformers python package. This is needed in order to calculate "
                'get_token_ids. Please install it with `pip install "runwire[transformers]"` (GPT-2\'s '
                "tokenizer, langchain-core's default; downloaded from Hugging Face on first use), or "
                "pass custom_get_token_ids= to the model (a function from text to token ids), or count "
                "with runwire.messages.count_tokens_approximately. ChatLlamaCpp counts with its own "
                "tokenizer and needs none of these.",
                name=exc.name,
            ) from None
        import warnings

        warnings.warn(
            "Using fallback GPT-2 tokenizer for token counting. Token counts may be inaccurate for "
            "non-GPT-2 models. For accurate counts, use a model-specific method if available.",
            stacklevel=3,
        )
        _GPT2.append(GPT2TokenizerFast.from_pretrained("gpt2"))
    return list(_GPT2[0].encode(text, verbose=False))


def _takes_var_kw(func: Any) -> bool:
    code = getattr(getattr(func, "__func__", func), "__code__", None)
    return bool(code and code.co_flags & 0x08)  # CO_VARKEYWORDS


def as_list(stop: str | Sequence[str] | None) -> list[str] | None:
    if stop is None or isinstance(stop, list):
        return stop
    return [stop] if isinstance(stop, str) else list(stop)
