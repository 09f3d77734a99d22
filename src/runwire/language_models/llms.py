"""Text-completion models: a string in, a string out, as one LLM run (`on_llm_start(serialized,
prompts)` ... `on_llm_end(LLMResult)`). Implement `_call` (LLM) or `_generate` (BaseLLM)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

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
    raise TypeError(
        f"a text model takes a string, a prompt value or a list of messages; got {type(input).__name__}: "
        f"{input!r:.200}"
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
        run = self._open(config, stop, kwargs, async_=False)
        if run is None:
            return self._call_generate([prompt], stop, None, kwargs).generations[0][0].text
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
        run = self._open(config, stop, kwargs, async_=True)
        if run is None:
            return (await self._agenerate([prompt], stop=stop, **kwargs)).generations[0][0].text
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
