"""Runnable: the one interface every component has, with sync and async twins side by side.

A component implements `_invoke(input, config, run)` (and `_ainvoke` when it awaits I/O);
`invoke`/`ainvoke` wrap it in a chain run: open the run only when a handler listens, fire start,
make the run current for the body, fire exactly one end or error. A class written the
langchain-core way (overriding `invoke` itself) works too. Batch, stream and composition
operators are defined once here in terms of those.
Not here: concrete combinators (sequence, parallel, ...), each in its own module.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar, cast

from runwire._lc_surface import LcSerializableSurface
from runwire.callbacks.context import enter_run, exit_run
from runwire.callbacks.manager import (
    AsyncCallbackManagerForChainRun,
    CallbackManagerForChainRun,
    open_run,
)
from runwire.runnables import batching
from runwire.runnables.config import (
    RunnableConfig,
    ensure_config,
    run_in_executor,
)
from runwire.runnables.extras import RunnableExtras
from runwire.runnables.schema import RunnableSchemas
from runwire.runnables.streaming import _DONE as NO_INPUT
from runwire.runnables.streaming import (
    _agathered,
    _awhole,
    _gathered,
    _whole,
    aiter_of,
    astream_run,
    stream_run,
)

if TYPE_CHECKING:
    from runwire.runnables.binding import RunnableBinding
    from runwire.runnables.each import RunnableEach
    from runwire.runnables.fallbacks import RunnableWithFallbacks
    from runwire.runnables.retry import RunnableRetry
    from runwire.runnables.sequence import RunnableSequence

_ChainRun = CallbackManagerForChainRun
_AsyncChainRun = AsyncCallbackManagerForChainRun

Input = TypeVar("Input")
Output = TypeVar("Output")


class Runnable(RunnableSchemas, RunnableExtras, LcSerializableSurface, Generic[Input, Output]):
    """A unit of work that can be invoked, batched, streamed and composed with `|`."""

    name: str | None = None
    tags: list[str] | None = None  # this object's own tags/metadata: on its runs only
    metadata: dict[str, Any] | None = None
    # The start's `run_type=` keyword: None sends none (sequences, parallels, branches), "" sends
    # run_type=None (lambdas, assigns, ...: langchain-core's `_call_with_config`), "prompt" /
    # "parser" also change how events are typed.
    _run_type: ClassVar[str | None] = None
    # Whether a streamed run's start carries `run_type` (langchain-core's `_transform_stream_with_config`
    # passes it; fallbacks open their streamed run themselves, without it).
    _streamed_run_type: ClassVar[bool] = True
    _sync_only: ClassVar[bool] = False  # True for subclasses that override `invoke` only
    _streams: ClassVar[bool] = False  # True for classes that implement `_transform`
    _body_calls_out: ClassVar[bool] = True
    """False for built-ins whose streaming body runs no user code: they hand children explicit
    configs, so the run need not be made current around each chunk."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # Decided once per class: a langchain-style subclass that overrides `invoke` (and not
        # `ainvoke`/`_ainvoke`) gets its `invoke` run in a thread under `ainvoke`.
        cls._sync_only = (
            cls.invoke is not Runnable.invoke
            and cls.ainvoke is Runnable.ainvoke
            and cls._ainvoke is Runnable._ainvoke
        )
        cls._streams = cls._transform is not Runnable._transform

    # -- naming and description ----------------------------------------------------------------

    def get_name(self, suffix: str | None = None, *, name: str | None = None) -> str:
        """The run name: `name`, else this object's `name`, else its class name."""
        base = name or self.name or type(self).__name__
        if suffix:
            return f"{base}{suffix.title()}" if base[0].isupper() else f"{base}_{suffix.lower()}"
        return base

    _serialized_cache: dict[str, Any] | None = None

    def _make_serialized(self) -> dict[str, Any]:
        """The non-null `serialized` dict handlers get on start, built once per object (it holds
        the run name too, so the hot path reads one attribute)."""
        cls = type(self)
        serialized = {
            "lc": 1,
            "type": "not_implemented",
            "id": [*cls.__module__.split("."), cls.__name__],
            "name": self.get_name(),
        }
        self.__dict__["_serialized_cache"] = serialized
        return serialized

    @property
    def _serialized(self) -> dict[str, Any]:
        return self._serialized_cache or self._make_serialized()

    # -- the one extension point -----------------------------------------------------------------

    def _invoke(self, input: Input, config: RunnableConfig | None, run: Any, **kwargs: Any) -> Output:
        raise NotImplementedError(f"{type(self).__name__} must implement `_invoke` or override `invoke`")

    async def _ainvoke(self, input: Input, config: RunnableConfig | None, run: Any, **kwargs: Any) -> Output:
        # Components that do no I/O run inline: no thread hop for formatting or parsing.
        return self._invoke(input, config, run, **kwargs)

    # -- invoke / ainvoke --------------------------------------------------------------------------

    def invoke(self, input: Input, config: RunnableConfig | None = None, **kwargs: Any) -> Output:
        """Run on one input and return the output."""
        run = open_run(_ChainRun, config, None, self.tags, self.metadata)  # type: ignore[arg-type]
        if run is None:
            return self._invoke(input, config, None, **kwargs)
        run.begin(self, input, config)  # on_chain_start, then the run is current for the body
        try:
            output = self._invoke(input, config, run, **kwargs)
        except BaseException as exc:
            run.close_error(exc)
            raise
        run.close(output)
        return output

    async def ainvoke(self, input: Input, config: RunnableConfig | None = None, **kwargs: Any) -> Output:
        """Run on one input without blocking the event loop."""
        if self._sync_only:
            return await run_in_executor(None, self.invoke, input, config, **kwargs)
        run = open_run(_AsyncChainRun, config, None, self.tags, self.metadata)  # type: ignore[arg-type]
        if run is None:
            return await self._ainvoke(input, config, None, **kwargs)
        if run._dispatch.all_sync:  # sync handlers only: no coroutine per event
            run.begin(self, input, config)
            try:
                output = await self._ainvoke(input, config, run, **kwargs)
            except BaseException as exc:
                run.close_error(exc)
                raise
            run.close(output)
            return output
        await run.astart_chain(self, input, config)
        token = enter_run(run)
        try:
            output = await self._ainvoke(input, config, run, **kwargs)
        except BaseException as exc:
            await run.afinish_error(exc)
            raise
        finally:
            exit_run(token)
        await run.afinish(output)
        return output

    # -- batch / abatch (bodies in runwire.runnables.batching) ----------------------------------

    def batch(
        self,
        inputs: Sequence[Input],
        config: RunnableConfig | Sequence[RunnableConfig] | None = None,
        *,
        return_exceptions: bool = False,
        executor: Any = None,
        **kwargs: Any,
    ) -> list[Output]:
        """Invoke on each input concurrently (threads, up to `max_concurrency`); results in order.
        `executor` (e.g. `runwire.distributed.DaskExecutor`) runs the batch on it instead."""
        if executor is not None:
            return cast(
                list[Output],
                executor.batch(self, inputs, config, return_exceptions=return_exceptions, **kwargs),
            )
        return batching.batch(self, inputs, config, return_exceptions, kwargs)

    async def abatch(
        self,
        inputs: Sequence[Input],
        config: RunnableConfig | Sequence[RunnableConfig] | None = None,
        *,
        return_exceptions: bool = False,
        executor: Any = None,
        **kwargs: Any,
    ) -> list[Output]:
        """Await `ainvoke` on each input concurrently (up to `max_concurrency`); results in order."""
        if executor is not None:
            return cast(
                list[Output],
                await executor.abatch(self, inputs, config, return_exceptions=return_exceptions, **kwargs),
            )
        return await batching.abatch(self, inputs, config, return_exceptions, kwargs)

    def batch_as_completed(
        self,
        inputs: Sequence[Input],
        config: RunnableConfig | Sequence[RunnableConfig] | None = None,
        *,
        return_exceptions: bool = False,
        executor: Any = None,
        **kwargs: Any,
    ) -> Iterator[tuple[int, Output | Exception]]:
        """Yield `(index, output)` pairs as each input finishes."""
        if executor is not None:
            return cast(
                Iterator[tuple[int, Output | Exception]],
                executor.batch_as_completed(
                    self, inputs, config, return_exceptions=return_exceptions, **kwargs
                ),
            )
        return batching.batch_as_completed(self, inputs, config, return_exceptions, kwargs)

    def abatch_as_completed(
        self,
        inputs: Sequence[Input],
        config: RunnableConfig | Sequence[RunnableConfig] | None = None,
        *,
        return_exceptions: bool = False,
        executor: Any = None,
        **kwargs: Any,
    ) -> AsyncIterator[tuple[int, Output | Exception]]:
        """Yield `(index, output)` pairs as each input finishes (async)."""
        if executor is not None:
            return cast(
                AsyncIterator[tuple[int, Output | Exception]],
                executor.abatch_as_completed(
                    self, inputs, config, return_exceptions=return_exceptions, **kwargs
                ),
            )
        return batching.abatch_as_completed(self, inputs, config, return_exceptions, kwargs)

    # -- stream / astream ----------------------------------------------------------------------

    # A component that can stream implements `_transform` (chunks in, chunks out) and usually
    # `_atransform`; the others stream their whole output as one chunk.

    def _transform(
        self, chunks: Iterator[Any], config: RunnableConfig | None, run: Any, **kwargs: Any
    ) -> Iterator[Any]:
        raise NotImplementedError

    async def _atransform(
        self, chunks: AsyncIterator[Any], config: RunnableConfig | None, run: Any, **kwargs: Any
    ) -> AsyncIterator[Any]:
        # A component with a sync `_transform` only: feed it the gathered input (no I/O, no thread).
        gathered = [chunk async for chunk in chunks]
        for out in self._transform(iter(gathered), config, run, **kwargs):
            yield out

    # Streaming components return their run's generator itself (no wrapper generator per layer),
    # so closing or cancelling a stream reaches every run at once.

    def stream(self, input: Input, config: RunnableConfig | None = None, **kwargs: Any) -> Iterator[Output]:
        """Yield the output in chunks as they are produced (whole, for components that cannot stream)."""
        if not self._streams:
            return _whole(self, input, config, kwargs)
        return stream_run(self, iter((input,)), config, input, kwargs)

    def astream(
        self, input: Input, config: RunnableConfig | None = None, **kwargs: Any
    ) -> AsyncIterator[Output]:
        """Yield the output in chunks, asynchronously."""
        if not self._streams:
            return _awhole(self, input, config, kwargs)
        return astream_run(self, aiter_of(input), config, input, kwargs)

    def transform(
        self, input: Iterator[Input], config: RunnableConfig | None = None, **kwargs: Any
    ) -> Iterator[Output]:
        """Stream from a stream of input chunks (components that cannot stream add them up first)."""
        if not self._streams:
            return _gathered(self, input, config, kwargs)
        return stream_run(self, input, config, NO_INPUT, kwargs)

    def atransform(
        self, input: AsyncIterator[Input], config: RunnableConfig | None = None, **kwargs: Any
    ) -> AsyncIterator[Output]:
        """Async `transform`."""
        if not self._streams:
            return _agathered(self, input, config, kwargs)
        return astream_run(self, input, config, NO_INPUT, kwargs)

    def astream_events(
        self,
        input: Any,
        config: RunnableConfig | None = None,
        *,
        version: str = "v2",
        include_names: Sequence[str] | None = None,
        include_types: Sequence[str] | None = None,
        include_tags: Sequence[str] | None = None,
        exclude_names: Sequence[str] | None = None,
        exclude_types: Sequence[str] | None = None,
        exclude_tags: Sequence[str] | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[dict[str, Any]]:
        """Every run of `astream(input)` as v2 events (`on_chain_start`, `on_chat_model_stream`,
        ...) with `parent_ids` root-first; filters keep or drop events by name, type or tag."""
        from runwire.runnables.events import astream_events

        return astream_events(
            self,
            input,
            config,
            version=version,
            include_names=include_names,
            include_types=include_types,
            include_tags=include_tags,
            exclude_names=exclude_names,
            exclude_types=exclude_types,
            exclude_tags=exclude_tags,
            **kwargs,
        )

    def astream_log(
        self,
        input: Any,
        config: RunnableConfig | None = None,
        *,
        diff: bool = True,
        with_streamed_output_list: bool = True,
        include_names: Sequence[str] | None = None,
        include_types: Sequence[str] | None = None,
        include_tags: Sequence[str] | None = None,
        exclude_names: Sequence[str] | None = None,
        exclude_types: Sequence[str] | None = None,
        exclude_tags: Sequence[str] | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[Any]:
        """`astream(input)` as RunLogPatch objects (JSON-patch ops on a run-state document), or
        the accumulated RunLog after each patch with `diff=False` (needs `runwire[jsonpatch]`)."""
        from runwire.runnables.log_stream import LogStreamCallbackHandler, astream_log

        async def run() -> AsyncIterator[Any]:
            stream = LogStreamCallbackHandler(
                auto_close=False,
                include_names=include_names,
                include_types=include_types,
                include_tags=include_tags,
                exclude_names=exclude_names,
                exclude_types=exclude_types,
                exclude_tags=exclude_tags,
                _schema_format="original",
            )
            async for item in astream_log(
                self,
                input,
                config,
                stream=stream,
                diff=diff,
                with_streamed_output_list=with_streamed_output_list,
                **kwargs,
            ):
                yield item

        return run()

    # -- composition -----------------------------------------------------------------------------

    def __or__(self, other: Any) -> RunnableSequence[Input, Any]:
        from runwire.runnables.sequence import RunnableSequence

        return RunnableSequence(self, coerce_to_runnable(other))

    def __ror__(self, other: Any) -> RunnableSequence[Any, Output]:
        from runwire.runnables.sequence import RunnableSequence

        return RunnableSequence(coerce_to_runnable(other), self)

    def pipe(self, *others: Any, name: str | None = None) -> RunnableSequence[Input, Any]:
        """`self | others[0] | ...` as one sequence."""
        from runwire.runnables.sequence import RunnableSequence

        return RunnableSequence(self, *(coerce_to_runnable(o) for o in others), name=name)

    def assign(self, **kwargs: Any) -> RunnableSequence[Input, dict[str, Any]]:
        """`self | RunnablePassthrough.assign(**kwargs)`."""
        from runwire.runnables.passthrough import RunnablePassthrough

        return self | RunnablePassthrough.assign(**kwargs)

    def pick(self, keys: str | list[str]) -> RunnableSequence[Input, Any]:
        """`self | RunnablePick(keys)`: one key's value, or a dict of several keys."""
        from runwire.runnables.passthrough import RunnablePick

        return self | RunnablePick(keys)

    def map(self) -> RunnableEach:
        """A runnable that applies this one to each item of a list input (one child run per item)."""
        from runwire.runnables.each import RunnableEach

        return RunnableEach(bound=self)

    def bind(self, **kwargs: Any) -> RunnableBinding[Input, Output]:
        """A runnable that calls this one with `kwargs` added to every call."""
        from runwire.runnables.binding import RunnableBinding

        return RunnableBinding(bound=self, kwargs=kwargs)

    def with_config(
        self, config: RunnableConfig | None = None, **kwargs: Any
    ) -> RunnableBinding[Input, Output]:
        """A runnable that calls this one with `config` merged into every call's config.
        Callbacks given here are inherited by this runnable's whole sub-tree."""
        from runwire.runnables.binding import RunnableBinding

        return RunnableBinding(bound=self, config=cast(RunnableConfig, {**(config or {}), **kwargs}))

    def with_retry(
        self,
        *,
        retry_if_exception_type: tuple[type[BaseException], ...] = (Exception,),
        wait_exponential_jitter: bool = True,
        exponential_jitter_params: Mapping[str, float] | None = None,
        stop_after_attempt: int = 3,
    ) -> RunnableRetry[Input, Output]:
        """Retry failed calls; each failed attempt fires `on_retry` on the retry run."""
        from runwire.runnables.retry import RunnableRetry

        return RunnableRetry(
            bound=self,
            retry_exception_types=retry_if_exception_type,
            wait_exponential_jitter=wait_exponential_jitter,
            exponential_jitter_params=exponential_jitter_params,
            max_attempt_number=stop_after_attempt,
        )

    def with_fallbacks(
        self,
        fallbacks: Sequence[Runnable[Input, Output]],
        *,
        exceptions_to_handle: tuple[type[BaseException], ...] = (Exception,),
        exception_key: str | None = None,
    ) -> RunnableWithFallbacks[Input, Output]:
        """Try `fallbacks` in order when this runnable raises one of `exceptions_to_handle`."""
        from runwire.runnables.fallbacks import RunnableWithFallbacks

        return RunnableWithFallbacks(
            runnable=self,
            fallbacks=fallbacks,
            exceptions_to_handle=exceptions_to_handle,
            exception_key=exception_key,
        )

    def with_types(
        self, *, input_type: Any = None, output_type: Any = None
    ) -> RunnableBinding[Input, Output]:
        """A runnable whose `InputType`/`OutputType` (and schemas) are the given types; like
        langchain-core, nothing is checked at run time."""
        from runwire.runnables.binding import RunnableBinding

        return RunnableBinding(bound=self, custom_input_type=input_type, custom_output_type=output_type)

    def _call_with_config(
        self,
        func: Callable[..., Output],
        input: Input,
        config: RunnableConfig | None,
        run_type: str | None = None,
        serialized: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> Output:
        """langchain-core's helper for custom `invoke`s: run `func` as this runnable's run."""
        from runwire.runnables.function import accepted_kwargs

        run = open_run(CallbackManagerForChainRun, cast(Any, config), None, None, None)
        wants = accepted_kwargs(func)
        if run is None:
            extra = {"config": ensure_config(config)} if "config" in wants else {}
            return func(input, **extra, **kwargs)
        run.fire_chain_start(
            serialized or self._serialized,
            input,
            (config and config.get("run_name")) or self.get_name(),
            {"run_type": run_type},  # sent even when None, as langchain-core does
        )
        extra = {}
        if "config" in wants:
            extra["config"] = ensure_config(run.child_config())
        if "run_manager" in wants:
            extra["run_manager"] = run
        token = enter_run(run)
        try:
            output = func(input, **extra, **kwargs)
        except BaseException as exc:
            run.finish_error(exc)
            raise
        finally:
            exit_run(token)
        run.finish(output)
        return output

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def indent_lines_after_first(text: str, prefix: str) -> str:
    """`text` with every line after the first indented by `len(prefix)` spaces (nested reprs)."""
    first, *rest = text.splitlines() or [""]
    spaces = " " * len(prefix)
    return "\n".join([first, *(spaces + line for line in rest)])


def fields_repr(obj: Any, fields: Sequence[tuple[str, Any, Any]]) -> str:
    """`Type(name=value, ...)` showing the `(name, value, default)` fields whose value is not
    the default, as langchain-core's pydantic-based reprs do."""
    shown = ", ".join(f"{name}={value!r}" for name, value, default in fields if value != default)
    return f"{type(obj).__name__}({shown})"


RunnableSerializable = Runnable
"""langchain-core's name for the base most components derive from."""


def coerce_to_runnable(thing: Any) -> Runnable[Any, Any]:
    """A runnable from a runnable, a function (or generator function) or a dict of those."""
    if isinstance(thing, Runnable):
        return thing
    if isinstance(thing, dict):
        from runwire.runnables.parallel import RunnableParallel

        return RunnableParallel(thing)
    lc = sys.modules.get("langchain_core.runnables.base")  # never imported here: only if loaded
    if lc is not None and isinstance(thing, lc.Runnable):
        from runwire.interop.langchain import from_langchain

        return from_langchain(thing)
    if callable(thing):
        from runwire.runnables.function import RunnableGenerator, RunnableLambda, is_generator_function

        if is_generator_function(thing):
            return RunnableGenerator(thing)
        return RunnableLambda(thing)
    raise TypeError(
        f"Expected a Runnable, callable or dict.Instead got an unsupported type: {type(thing)}. "
        f"({thing!r:.100} cannot be a step of a chain: wrap plain values with "
        "RunnableLambda(lambda _: value).)"
    )
