"""Client-side rate limiting with langchain-core's interface: `InMemoryRateLimiter`, a token
bucket shared by every model given it (`rate_limiter=` on chat models), thread-safe, with
blocking and async acquire. It limits requests, not tokens. Not here: provider-side retries.
"""

from __future__ import annotations

import abc
import asyncio
import threading
import time


class BaseRateLimiter(abc.ABC):
    """Something a model asks before each request: `acquire()` returns when it may go."""

    @abc.abstractmethod
    def acquire(self, *, blocking: bool = True) -> bool:
        """Take a token; blocking waits for one, non-blocking returns whether one was free."""

    @abc.abstractmethod
    async def aacquire(self, *, blocking: bool = True) -> bool:
        """Async `acquire` (waits without blocking the event loop)."""


class InMemoryRateLimiter(BaseRateLimiter):
    """A token bucket: `requests_per_second` tokens accrue, up to `max_bucket_size`; each
    request takes one; waiters check every `check_every_n_seconds`. The bucket starts empty."""

    def __init__(
        self,
        *,
        requests_per_second: float = 1,
        check_every_n_seconds: float = 0.1,
        max_bucket_size: float = 1,
    ) -> None:
        self.requests_per_second = requests_per_second
        self.available_tokens = 0.0
        self.max_bucket_size = max_bucket_size
        self._consume_lock = threading.Lock()
        self.last: float | None = None
        self.check_every_n_seconds = check_every_n_seconds

    def _consume(self) -> bool:
        with self._consume_lock:
            now = time.monotonic()
            if self.last is None:
                self.last = now
            elapsed = now - self.last
            if elapsed * self.requests_per_second >= 1:
                self.available_tokens += elapsed * self.requests_per_second
                self.last = now
            self.available_tokens = min(self.available_tokens, self.max_bucket_size)
            if self.available_tokens >= 1:
                self.available_tokens -= 1
                return True
            return False

    def acquire(self, *, blocking: bool = True) -> bool:
        if not blocking:
            return self._consume()
        while not self._consume():
            time.sleep(self.check_every_n_seconds)
        return True

    async def aacquire(self, *, blocking: bool = True) -> bool:
        if not blocking:
            return self._consume()
        while not self._consume():  # noqa: ASYNC110  # polling is the algorithm (langchain-core's)
            await asyncio.sleep(self.check_every_n_seconds)
        return True


__all__ = ["BaseRateLimiter", "InMemoryRateLimiter"]
