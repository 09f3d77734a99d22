"""Text-completion models: a string in, a string out, as one LLM run (`on_llm_start(serialized,
prompts)` ... `on_llm_end(LLMResult)`). Implement `_call` (LLM) or `_generate` (BaseLLM)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from runwire import globals as _globals
from runwire.callbacks.context import enter_run, exit_run
from runwire.language_models.base import BaseLanguageModel, as_list
from runwire.outputs import Generation, LLMResult
from runwire.runnables.config import RunnableConfig, run_in_executor


def to_prompt(input: Any) -> str:
    """Text model input as a string: a string, a prompt value, or messages (rendered)."""
    if isinstance(input, str):
        return input
    to_string = getattr(input, "to_string", None)
    if to_string is not None:
        return str(to_string())
    if isinstance(input, Sequence):
        from runwire.messages import convert_to_messages, get_buffer_string

        return get_buffer_string(convert_to_messages(input))
    raise ValueError(  # langchain-core's type and opening
        f"Invalid input type {type(input)}. Must be a PromptValue, str, or list of BaseMessages. "
        f"(a text model got {type(input).__name__}: {input!r:.200}; put a prompt template before it.)"
    )


class BaseLLM(BaseLanguageModel):
    """Base for text models. Implement `_generate(prompts, stop=None, run_manager=None, **kw)`."""

    _ls_model_type: ClassVar[str] = "llm"

    @property
    def OutputType(self) -> Any:
        return str

    def _provider(self) -> str:
        name = type(self).__name__
        return name.removesuffix("LLM").lower()

    def _generate(
        self, prompts: list[str], stop: list[str] | None = None, run_manager: Any = None, **kwargs: Any
    ) -> LLMResult:
        raise NotImplementedError(f"{type(self).__name__} must implement `_generate` (or `_call` via LLM)")

    async def _agenerate(
        self, prompts: list[str], stop: list[str] | None = None, run_manager: Any = None, **kwargs: Any
    ) -> LLMResult:
        sync_run = run_manager.get_sync() if run_manager else run_manager
        return await run_in_executor(None, self._generate, prompts, stop, sync_run, **kwargs)

    def with_structured_output(self, schema: Any, **kwargs: Any) -> Any:
        """Not available on text models (as in langchain-core): use a chat model."""
        raise NotImplementedError(
            f"{type(self).__name__} is a text-completion model and cannot give structured output; "
            "use a chat model's with_structured_output, or parse the text with an output parser."
        )

    def _cache(self) -> Any:
        """The cache this model uses (its own, else the process default); None when `cache=False`."""
        from runwire.caches import BaseCache

        if self.cache is False:
            return None
        if isinstance(self.cache, BaseCache):
            return self.cache
        if _globals._llm_cache is None and self.cache is not None:
            raise ValueError(
                "Asked to cache (cache=True), but no cache is set: pass cache=InMemoryCache() to the "
                "model or call runwire.globals.set_llm_cache(InMemoryCache()) first."
            )
        return _globals._llm_cache

    def _llm_string(self, stop: list[str] | None) -> str:
        params = {**self._identifying_params, "_type": self._llm_type, "stop": stop}
        return str(sorted(params.items()))

    def _call_generate(
        self, prompts: list[str], stop: list[str] | None, run: Any, kwargs: dict[str, Any]
    ) -> LLMResult:
        if self._takes_run_manager:
            return self._generate(prompts, stop=stop, run_manager=run, **kwargs)
        return self._generate(prompts, stop=stop, **kwargs)

    def invoke(
        self,
        input: Any,
        config: RunnableConfig | None = None,
        *,
        stop: list[str] | None = None,
        **kwargs: Any,
    ) -> str:
        prompt = to_prompt(input)
        stop = as_list(stop)
        cache = None if self.cache is None and _globals._llm_cache is None else self._cache()
        if cache is not None:
            hit = cache.lookup(prompt, self._llm_string(stop))
            if isinstance(hit, list):
                return str(hit[0].text)  # a hit fires no events, as in langchain-core
        run = self._open(config, stop, kwargs, async_=False)
        if run is None:
            result = self._call_generate([prompt], stop, None, kwargs)
            if cache is not None:
                cache.update(prompt, self._llm_string(stop), result.generations[0])
            return result.generations[0][0].text
        run.fire_start(
            "on_llm_start",
            (self._serialized, [prompt]),
            self._run_name(config),
            self._start_kw(config, stop, kwargs),
        )
        token = enter_run(run)
        try:
            result = self._call_generate([prompt], stop, run, kwargs)
        except BaseException as exc:
            run.finish_error(exc, response=LLMResult(generations=[[]]))
            raise
        finally:
            exit_run(token)
        run.finish(result)
        if cache is not None:
            cache.update(prompt, self._llm_string(stop), result.generations[0])
        return result.generations[0][0].text

    async def ainvoke(
        self,
        input: Any,
        config: RunnableConfig | None = None,
        *,
        stop: list[str] | None = None,
        **kwargs: Any,
    ) -> str:
        prompt = to_prompt(input)
        stop = as_list(stop)
        cache = None if self.cache is None and _globals._llm_cache is None else self._cache()
        if cache is not None:
            hit = await cache.alookup(prompt, self._llm_string(stop))
            if isinstance(hit, list):
                return str(hit[0].text)
        run = self._open(config, stop, kwargs, async_=True)
        if run is None:
            result = await self._agenerate([prompt], stop=stop, **kwargs)
            if cache is not None:
                await cache.aupdate(prompt, self._llm_string(stop), result.generations[0])
            return result.generations[0][0].text
        await run.afire_start(
            "on_llm_start",
            (self._serialized, [prompt]),
            self._run_name(config),
            self._start_kw(config, stop, kwargs),
        )
        token = enter_run(run)
        try:
            result = await self._agenerate([prompt], stop=stop, run_manager=run, **kwargs)
        except BaseException as exc:
            await run.afinish_error(exc, response=LLMResult(generations=[[]]))
            raise
        finally:
            exit_run(token)
        await run.afinish(result)
        if cache is not None:
            await cache.aupdate(prompt, self._llm_string(stop), result.generations[0])
        return result.generations[0][0].text


class LLM(BaseLLM):
    """A text model from one method: `_call(prompt, stop=None, run_manager=None, **kw) -> str`."""

    def _call(
        self, prompt: str, stop: list[str] | None = None, run_manager: Any = None, **kwargs: Any
    ) -> str:
        raise NotImplementedError(f"{type(self).__name__} must implement `_call`")

    async def _acall(
        self, prompt: str, stop: list[str] | None = None, run_manager: Any = None, **kwargs: Any
    ) -> str:
        sync_run = run_manager.get_sync() if run_manager else run_manager
        return await run_in_executor(None, self._call, prompt, stop, sync_run, **kwargs)

    def _generate(
        self, prompts: list[str], stop: list[str] | None = None, run_manager: Any = None, **kwargs: Any
    ) -> LLMResult:
        return LLMResult(
            generations=[
                [Generation(text=self._call(p, stop=stop, run_manager=run_manager, **kwargs))]
                for p in prompts
            ]
        )

    async def _agenerate(
        self, prompts: list[str], stop: list[str] | None = None, run_manager: Any = None, **kwargs: Any
    ) -> LLMResult:
        generations = [
            [Generation(text=await self._acall(p, stop=stop, run_manager=run_manager, **kwargs))]
            for p in prompts
        ]
        return LLMResult(generations=generations)
