"""RunnableRetry: call again when an attempt raises, firing `on_retry` for each failed attempt.

The retry is one run (named after the bound runnable); each attempt is a child run, tagged
`retry:attempt:N` from the second on. langchain-core never fires `on_retry` here (#36382);
runwire fires it on the retry run before each wait, with a `RetryState`.
"""

from __future__ import annotations

import random
import time
from collections.abc import Mapping
from typing import Any, ClassVar

from runwire.runnables.base import Input, Output, Runnable
from runwire.runnables.config import RunnableConfig, child_config


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
    """`bound.with_retry(...)`."""

    _run_type: ClassVar[str | None] = ""  # starts carry run_type=None, as in langchain-core

    def __init__(
        self,
        *,
        bound: Runnable[Input, Output],
        retry_exception_types: tuple[type[BaseException], ...] = (Exception,),
        wait_exponential_jitter: bool = True,
        exponential_jitter_params: Mapping[str, float] | None = None,
        max_attempt_number: int = 3,
    ) -> None:
        if max_attempt_number < 1:
            raise ValueError(f"stop_after_attempt must be >= 1, got {max_attempt_number}")
        self.bound = bound
        self.retry_exception_types = tuple(retry_exception_types)
        self.wait_exponential_jitter = wait_exponential_jitter
        params = dict(exponential_jitter_params or {})
        self._initial = params.get("initial", 1.0)
        self._max = params.get("max", 60.0)
        self._exp_base = params.get("exp_base", 2.0)
        self._jitter = params.get("jitter", 1.0)
        self.max_attempt_number = max_attempt_number

    def get_name(self, suffix: str | None = None, *, name: str | None = None) -> str:
        return self.bound.get_name(suffix, name=name or self.name)

    def _sleep_for(self, attempt: int) -> float:
        if not self.wait_exponential_jitter:
            return 0.0
        delay = self._initial * self._exp_base ** (attempt - 1) + random.uniform(0, self._jitter)
        return min(delay, self._max)

    def _attempt_config(self, config: RunnableConfig | None, run: Any, attempt: int) -> Any:
        return child_config(config, run, f"retry:attempt:{attempt}" if attempt > 1 else None)

    def _failed(self, exc: BaseException, attempt: int) -> RetryState | None:
        if not isinstance(exc, self.retry_exception_types) or attempt >= self.max_attempt_number:
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
