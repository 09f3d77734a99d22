"""RunnableRetry: call again when an attempt raises, firing `on_retry` for each failed attempt.

The retry is one run (named after the bound runnable); each attempt is a child run, tagged
`retry:attempt:N` from the second on. A batch retries only the inputs that failed; a stream
is not retried (the bound runnable streams), as in langchain-core.
langchain-core never fires `on_retry` here (#36382); runwire fires it on the retry run before
each wait, with a `RetryState`.
"""

from __future__ import annotations

import random
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from typing import Any, ClassVar, cast

from runwire.callbacks.manager import (
    AsyncCallbackManagerForChainRun,
    CallbackManagerForChainRun,
    open_run,
)
from runwire.runnables.base import Input, Output, Runnable, fields_repr
from runwire.runnables.config import RunnableConfig, child_config, get_config_list


class RetryState:
    """What `on_retry` receives: which attempt failed, with what, and the wait before the next."""

    __slots__ = ("attempt_number", "exception", "max_attempts", "next_sleep")

    def __init__(
        self, attempt_number: int, exception: BaseException, next_sleep: float, max_attempts: int
    ) -> None:
        self.attempt_number = attempt_number
        self.exception = exception
        self.next_sleep = next_sleep
        self.max_attempts = max_attempts

    def __repr__(self) -> str:
        return (
            f"RetryState(attempt_number={self.attempt_number}, exception={self.exception!r}, "
            f"next_sleep={self.next_sleep}, max_attempts={self.max_attempts})"
        )

    @property
    def outcome(self) -> Any:
        """tenacity-style access: `retry_state.outcome.exception()`."""
        from concurrent.futures import Future

        future: Future[Any] = Future()
        future.set_exception(self.exception)
        return future


class RunnableRetry(Runnable[Input, Output]):
    """`bound.with_retry(...)`. `retry_exception_types` is a tuple of exception types, or (as in
    langchain-core) any callable, called with the exception: a true result means retry."""

    _run_type: ClassVar[str | None] = ""  # starts carry run_type=None, as in langchain-core

    def __init__(
        self,
        *,
        bound: Runnable[Input, Output],
        retry_exception_types: tuple[type[BaseException], ...] | Callable[[BaseException], Any] = (
            Exception,
        ),
        wait_exponential_jitter: bool = True,
        exponential_jitter_params: Mapping[str, float] | None = None,
        max_attempt_number: int = 3,
    ) -> None:
        if max_attempt_number < 1:
            raise ValueError(
                f"stop_after_attempt must be >= 1, got {max_attempt_number}: it counts the first call too."
            )
        self.bound = bound
        if callable(retry_exception_types):
            # langchain-core's rule: a callable (even a single exception class) is a predicate.
            self.retry_exception_types: Any = retry_exception_types
            self._should_retry: Callable[[BaseException], Any] = retry_exception_types
        else:
            self.retry_exception_types = tuple(retry_exception_types)
            types = self.retry_exception_types
            self._should_retry = lambda exc: isinstance(exc, types)
        self.wait_exponential_jitter = wait_exponential_jitter
        self.exponential_jitter_params = exponential_jitter_params
        params = dict(exponential_jitter_params or {})
        self._initial = params.get("initial", 1.0)
        self._max = params.get("max", 60.0)
        self._exp_base = params.get("exp_base", 2.0)
        self._jitter = params.get("jitter", 1.0)
        self.max_attempt_number = max_attempt_number

    def get_name(self, suffix: str | None = None, *, name: str | None = None) -> str:
        return self.bound.get_name(suffix, name=name or self.name)

    # Schemas are the bound runnable's.
    InputType = property(lambda self: self.bound.InputType)
    OutputType = property(lambda self: self.bound.OutputType)

    def get_input_schema(self, config: RunnableConfig | None = None) -> Any:
        return self.bound.get_input_schema(config)

    def get_output_schema(self, config: RunnableConfig | None = None) -> Any:
        return self.bound.get_output_schema(config)

    @property
    def config_specs(self) -> list[Any]:
        return self.bound.config_specs

    # Streaming is not retried and opens no retry run: the bound runnable streams, as through
    # langchain-core's RunnableRetry (a binding whose stream goes straight to the bound runnable).

    def stream(self, input: Input, config: RunnableConfig | None = None, **kwargs: Any) -> Iterator[Output]:
        return self.bound.stream(input, config, **kwargs)

    def astream(
        self, input: Input, config: RunnableConfig | None = None, **kwargs: Any
    ) -> AsyncIterator[Output]:
        return self.bound.astream(input, config, **kwargs)

    def transform(
        self, input: Iterator[Input], config: RunnableConfig | None = None, **kwargs: Any
    ) -> Iterator[Output]:
        return self.bound.transform(input, config, **kwargs)

    def atransform(
        self, input: AsyncIterator[Input], config: RunnableConfig | None = None, **kwargs: Any
    ) -> AsyncIterator[Output]:
        return self.bound.atransform(input, config, **kwargs)

    def _sleep_for(self, attempt: int) -> float:
        if not self.wait_exponential_jitter:
            return 0.0
        delay = self._initial * self._exp_base ** (attempt - 1) + random.uniform(0, self._jitter)
        return max(0.0, min(delay, self._max))

    def _attempt_config(self, config: RunnableConfig | None, run: Any, attempt: int) -> Any:
        return child_config(config, run, f"retry:attempt:{attempt}" if attempt > 1 else None)

    def _failed(self, exc: BaseException, attempt: int) -> RetryState | None:
        """The state of a retry after `exc`, or None when `exc` is final."""
        if attempt >= self.max_attempt_number or not self._should_retry(exc):
            return None
        return RetryState(attempt, exc, self._sleep_for(attempt), self.max_attempt_number)

    def _invoke(self, input: Any, config: RunnableConfig | None, run: Any, **kwargs: Any) -> Any:
        attempt = 1
        while True:
            try:
                return self.bound.invoke(input, self._attempt_config(config, run, attempt), **kwargs)
            except BaseException as exc:
                state = self._failed(exc, attempt)
                if state is None:
                    raise
            if run is not None:
                run.on_retry(state)
            if state.next_sleep:
                time.sleep(state.next_sleep)
            attempt += 1

    async def _ainvoke(self, input: Any, config: RunnableConfig | None, run: Any, **kwargs: Any) -> Any:
        import asyncio

        attempt = 1
        while True:
            try:
                return await self.bound.ainvoke(input, self._attempt_config(config, run, attempt), **kwargs)
            except BaseException as exc:
                state = self._failed(exc, attempt)
                if state is None:
                    raise
            if run is not None:
                await run.on_retry(state)
            if state.next_sleep:
                await asyncio.sleep(state.next_sleep)
            attempt += 1

    # Batches retry as langchain-core's do: each attempt is one `bound.batch` over the inputs
    # that have not succeeded yet; the first failure of an attempt decides whether to retry.
    # A final failure that is not retryable becomes the outcome of every input.

    def batch(
        self,
        inputs: Sequence[Input],
        config: RunnableConfig | Sequence[RunnableConfig] | None = None,
        *,
        return_exceptions: bool = False,
        executor: Any = None,
        **kwargs: Any,
    ) -> list[Output]:
        if executor is not None or not inputs:
            return super().batch(
                inputs, config, return_exceptions=return_exceptions, executor=executor, **kwargs
            )
        configs = get_config_list(config, len(inputs))
        runs = [
            open_run(CallbackManagerForChainRun, cast(Any, c), None, self.tags, self.metadata)
            for c in configs
        ]
        for run, input, cfg in zip(runs, inputs, configs, strict=True):
            if run is not None:
                run.start_chain(self, input, cfg)
        tracker = _BatchAttempts(len(inputs))
        while True:
            pending = tracker.pending
            outputs = self.bound.batch(
                [inputs[i] for i in pending],
                [self._attempt_config(configs[i], runs[i], tracker.attempt) for i in pending],
                return_exceptions=True,
                **kwargs,
            )
            state = tracker.record(self, outputs)
            if state is None:
                break
            for i in tracker.pending:
                if runs[i] is not None:
                    runs[i].on_retry(state)
            if state.next_sleep:
                time.sleep(state.next_sleep)
        results = tracker.results()
        for run, result in zip(runs, results, strict=True):
            if run is not None:
                if isinstance(result, BaseException):
                    run.finish_error(result)
                else:
                    run.finish(result)
        return tracker.returned(results, return_exceptions)

    async def abatch(
        self,
        inputs: Sequence[Input],
        config: RunnableConfig | Sequence[RunnableConfig] | None = None,
        *,
        return_exceptions: bool = False,
        executor: Any = None,
        **kwargs: Any,
    ) -> list[Output]:
        import asyncio

        if executor is not None or not inputs:
            return await super().abatch(
                inputs, config, return_exceptions=return_exceptions, executor=executor, **kwargs
            )
        configs = get_config_list(config, len(inputs))
        runs = [
            open_run(AsyncCallbackManagerForChainRun, cast(Any, c), None, self.tags, self.metadata)
            for c in configs
        ]
        for run, input, cfg in zip(runs, inputs, configs, strict=True):
            if run is not None:
                await run.astart_chain(self, input, cfg)
        tracker = _BatchAttempts(len(inputs))
        while True:
            pending = tracker.pending
            outputs = await self.bound.abatch(
                [inputs[i] for i in pending],
                [self._attempt_config(configs[i], runs[i], tracker.attempt) for i in pending],
                return_exceptions=True,
                **kwargs,
            )
            state = tracker.record(self, outputs)
            if state is None:
                break
            for i in tracker.pending:
                if runs[i] is not None:
                    await runs[i].on_retry(state)
            if state.next_sleep:
                await asyncio.sleep(state.next_sleep)
        results = tracker.results()
        for run, result in zip(runs, results, strict=True):
            if run is not None:
                if isinstance(result, BaseException):
                    await run.afinish_error(result)
                else:
                    await run.afinish(result)
        return tracker.returned(results, return_exceptions)

    def __repr__(self) -> str:
        return fields_repr(
            self,
            [
                ("bound", self.bound, None),
                ("kwargs", {}, None),
                ("config", {}, None),
                ("config_factories", [], None),
                ("retry_exception_types", self.retry_exception_types, (Exception,)),
                ("wait_exponential_jitter", self.wait_exponential_jitter, True),
                ("exponential_jitter_params", self.exponential_jitter_params, None),
                ("max_attempt_number", self.max_attempt_number, 3),
            ],
        )


class _BatchAttempts:
    """Which inputs of a retried batch are still pending, and what each returned or raised."""

    def __init__(self, count: int) -> None:
        self.pending = list(range(count))
        self.attempt = 1
        self._outcomes: list[Any] = [None] * count
        self._final: BaseException | None = None

    def record(self, retry: RunnableRetry[Any, Any], outputs: list[Any]) -> RetryState | None:
        """Take one attempt's outputs; the state of the next attempt, or None when done."""
        failed: list[int] = []
        first: BaseException | None = None
        for index, output in zip(self.pending, outputs, strict=True):
            self._outcomes[index] = output
            if isinstance(output, Exception):
                failed.append(index)
                first = first or output
        if first is None:
            return None
        if not retry._should_retry(first):
            self._final = first  # not retryable: langchain-core fails the whole batch with it
            return None
        state = retry._failed(first, self.attempt)
        if state is None:  # out of attempts: each input keeps its own last outcome
            return None
        self.pending = failed
        self.attempt += 1
        return state

    def results(self) -> list[Any]:
        if self._final is not None:
            return [self._final] * len(self._outcomes)
        return list(self._outcomes)

    @staticmethod
    def returned(results: list[Any], return_exceptions: bool) -> list[Any]:
        if not return_exceptions:
            for result in results:
                if isinstance(result, BaseException):
                    raise result
        return results
