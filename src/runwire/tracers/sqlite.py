"""SQLiteTracer: every run and event into a local SQLite trace store, written in the background.

On the caller's thread a handler method appends one tuple to a queue (no serialisation, no I/O);
a daemon thread drains the queue in batches, turns payloads into JSON through the handler's
content policy (objects via `model_dump()`, else `repr`; secrets always scrubbed) and commits
each batch in one transaction. A run whose start and end fall in one batch is one INSERT. A
process killed mid-batch loses that uncommitted batch only: the file stays consistent (WAL) and
readable from other connections and processes while it is written. `flush()` waits for what was
queued; pending runs are flushed at exit. Not here: reading (`store.TraceStore`), the schema
(`_schema`).
"""

from __future__ import annotations

import atexit
import itertools
import logging
import os
import threading
import time
import weakref
from collections import deque
from pathlib import Path
from typing import Any, Literal
from uuid import UUID

from runwire.callbacks.base import BaseCallbackHandler
from runwire.tracers._schema import StoreError, connect, default_path
from runwire.tracers._sqlite_rows import END, EVENT, EVENT_INSERT, FLUSH, INSERT, START, UPDATE, rows, split
from runwire.tracers.base import retry_info
from runwire.tracers.content import FULL, NESTED, ContentPolicy, snapshot

logger = logging.getLogger("runwire.tracers.sqlite")

_now = time.time


class SQLiteTracer(BaseCallbackHandler):
    """Records runs into the trace store at `path` (default: `runwire.tracers.sqlite.default_path()`).

    `content`: the payload policy (`FULL`, `NONE`, `redacted(...)`). The writer commits every
    `flush_interval` seconds, or sooner once `batch_size` queue items wait (an event is 5-11
    items). The queue holds about `max_queue` items: when the writer falls that far behind (a
    long CPU-bound loop of runs), `on_full="drop"` (the default: tracing never slows the run)
    records no new traces until it catches up, while traces already started are finished, so
    every stored trace is whole (`dropped_traces` counts the others); `"block"` makes new
    traces wait for room instead.
    """

    payloads_read_only = True  # reads what it is given, never edits it: no copies needed

    name = "sqlite_tracer"

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        content: ContentPolicy = FULL,
        flush_interval: float = 0.2,
        batch_size: int = 2_000,
        record_tokens: bool = True,
        max_queue: int = 200_000,
        on_full: Literal["block", "drop"] = "drop",
    ) -> None:
        if on_full not in ("block", "drop"):
            raise ValueError(f"on_full must be 'block' or 'drop', got {on_full!r}")
        self.path = Path(path).expanduser() if path is not None else default_path()
        self.content = content
        self.flush_interval = flush_interval
        self.batch_size = batch_size
        self.record_tokens = record_tokens
        self.max_queue = max_queue
        self.on_full = on_full
        self.runs_written = 0
        self.dropped = 0
        """Events not recorded (queue full, or after `close()`)."""
        self.dropped_traces = 0
        """Root runs not recorded (queue full, or the store refused: see `refused`)."""
        self.refused: str | None = None
        """Why the file at `path` is not written (not a trace store, unreadable), or None."""
        self.busy_seconds = 0.0
        """CPU time the writer thread spent serialising and committing."""
        self._reset()
        _live.add(self)

    def _reset(self) -> None:
        self._queue: deque[Any] = deque()  # flat records: kind, then its fields
        # Writer-thread state: the queue is in start order (a parent's start is queued before
        # its children's), so trace ids and start sequence numbers are worked out here.
        self._traces: dict[int, str] = {}  # open run (UUID.int) -> trace id; dropped at its end
        self._seq = itertools.count()
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed = False
        self._open = False  # the writer runs and `close()` was not called: `_put` just appends
        self._dropping: set[int] = set()  # open runs of traces not recorded (UUID.int)

    def __copy__(self) -> SQLiteTracer:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> SQLiteTracer:
        return self

    def __repr__(self) -> str:
        return f"SQLiteTracer({str(self.path)!r}, content={self.content.mode!r})"

    # -- the caller's side: one append per event ----------------------------------------------
    # Each handler method builds its record and `_put`s it: no serialisation, no I/O. Payloads
    # are `snapshot`ted (plain dicts and lists copied) so that what the writer serialises later
    # is what they were at event time; objects are queued as they are.

    def _put(self, record: tuple[Any, ...]) -> None:
        # Records go into the deque flat (one `extend`, atomic under the GIL), so no container
        # of ours outlives the call; run ids go as `UUID.int` and tags as a tuple (untracked by
        # the collector once it sees only strings in it): fewer survivors for the garbage
        # collector to scan, and what the queue keeps alive is much of the tracer's cost.
        if self._open:
            queue = self._queue
            queue.extend(record)
            if len(queue) >= self.batch_size:
                self._wake.set()
        elif self._closed:
            self.dropped += 1
        else:
            self._queue.extend(record)
            self._start_writer()

    def _admit(self, run_id: UUID, parent_run_id: UUID | None) -> bool:
        """Whether to record this run: whole traces are recorded or skipped when the queue is
        full. Called for root runs, and for child runs while some trace is being skipped."""
        dropping = self._dropping
        if parent_run_id is not None:
            if dropping and parent_run_id.int in dropping:
                dropping.add(run_id.int)
                self.dropped += 1
                return False
            return True
        if len(self._queue) < self.max_queue:
            return True
        thread = self._thread
        if self.on_full == "block" and thread is not None and threading.current_thread() is not thread:
            self._wake.set()
            while len(self._queue) > self.max_queue // 2 and thread.is_alive():
                time.sleep(0.001)  # lets the writer hold the GIL
            return True
        if not self.dropped_traces:
            logger.warning(
                "runwire: the trace writer is behind; new traces are not recorded until it catches up"
            )
        self.dropped_traces += 1
        self.dropped += 1
        dropping.add(run_id.int)
        return False

    def _skipped(self, run_id: UUID, *, ends: bool) -> bool:
        """Whether this event belongs to a trace being skipped (only asked while one is)."""
        if run_id.int not in self._dropping:
            return False
        if ends:
            self._dropping.discard(run_id.int)
        self.dropped += 1
        return True

    def _start(  # noqa: PLR0917 - the shared tail of the rarer start events
        self,
        run_id: UUID,
        parent_run_id: UUID | None,
        name: str,
        run_type: str,
        inputs: Any,
        tags: list[str] | None,
        metadata: dict[str, Any] | None,
        params: dict[str, Any] | None,
        wrap: str | None = None,
    ) -> None:
        if (parent_run_id is None or self._dropping) and not self._admit(run_id, parent_run_id):
            return
        if inputs.__class__ in NESTED:
            inputs = snapshot(inputs)
        parent = parent_run_id.int if parent_run_id is not None else None
        self._put(
            (START, run_id.int, parent, name, run_type, _now(), inputs,
             tuple(tags) if tags else None, metadata or None, params, wrap)
        )  # fmt: skip

    def _end(self, run_id: UUID, outputs: Any, error: BaseException | None, llm: bool = False) -> None:
        if self._dropping and self._skipped(run_id, ends=True):
            return
        if outputs.__class__ in NESTED:
            outputs = snapshot(outputs)
        self._put((END, run_id.int, _now(), outputs, error, llm))

    def _event(self, run_id: UUID, name: str, data: Any) -> None:
        if self._dropping and self._skipped(run_id, ends=False):
            return
        self._put((EVENT, run_id.int, _now(), name, snapshot(data)))

    # The two events every runnable fires are unrolled (one call to `_put` each): chain (a)
    # sends six of its eight events here.

    def on_chain_start(
        self,
        serialized: dict[str, Any] | None,
        inputs: Any,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        name: str | None = None,
        run_type: str | None = None,
        **kwargs: Any,
    ) -> None:
        if (parent_run_id is None or self._dropping) and not self._admit(run_id, parent_run_id):
            return
        if inputs.__class__ in NESTED:
            inputs = snapshot(inputs)
        name = name or (serialized or {}).get("name") or "chain"
        parent = parent_run_id.int if parent_run_id is not None else None
        self._put(
            (START, run_id.int, parent, name, run_type or "chain", _now(), inputs,
             tuple(tags) if tags else None, metadata or None, None, None)
        )  # fmt: skip

    def on_chain_end(self, outputs: Any, *, run_id: UUID, **kwargs: Any) -> None:
        if self._dropping and self._skipped(run_id, ends=True):
            return
        if outputs.__class__ in NESTED:
            outputs = snapshot(outputs)
        self._put((END, run_id.int, _now(), outputs, None, False))

    def on_chat_model_start(
        self,
        serialized: dict[str, Any] | None,
        messages: list[list[Any]],
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        name = kwargs.get("name") or (serialized or {}).get("name") or "chat_model"
        params = kwargs.get("invocation_params")
        self._start(run_id, parent_run_id, name, "llm", messages, tags, metadata, params, "messages")

    def on_llm_start(
        self,
        serialized: dict[str, Any] | None,
        prompts: list[str],
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        name = kwargs.get("name") or (serialized or {}).get("name") or "llm"
        params = kwargs.get("invocation_params")
        self._start(run_id, parent_run_id, name, "llm", prompts, tags, metadata, params, "prompts")

    def on_tool_start(
        self,
        serialized: dict[str, Any] | None,
        input_str: str,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        inputs: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        name = kwargs.get("name") or (serialized or {}).get("name") or "tool"
        payload = inputs if inputs is not None else input_str
        self._start(run_id, parent_run_id, name, "tool", payload, tags, metadata, None)

    def on_retriever_start(
        self,
        serialized: dict[str, Any] | None,
        query: str,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        name = kwargs.get("name") or (serialized or {}).get("name") or "retriever"
        self._start(run_id, parent_run_id, name, "retriever", query, tags, metadata, None, "query")

    def on_llm_end(self, response: Any, *, run_id: UUID, **kwargs: Any) -> None:
        self._end(run_id, response, None, llm=True)

    def on_tool_end(self, output: Any, *, run_id: UUID, **kwargs: Any) -> None:
        self._end(run_id, output, None)

    def on_retriever_end(self, documents: Any, *, run_id: UUID, **kwargs: Any) -> None:
        self._end(run_id, documents, None)

    def on_chain_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self._end(run_id, None, error)

    def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self._end(run_id, None, error, llm=True)

    def on_tool_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self._end(run_id, None, error)

    def on_retriever_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self._end(run_id, None, error)

    def on_llm_new_token(self, token: Any, *, run_id: UUID, **kwargs: Any) -> None:
        if self.record_tokens:
            self._event(run_id, "new_token", {"token": token})

    def on_retry(self, retry_state: Any, *, run_id: UUID, **kwargs: Any) -> None:
        self._event(run_id, "retry", retry_info(retry_state))

    def on_custom_event(self, name: str, data: Any, *, run_id: UUID, **kwargs: Any) -> None:
        self._event(run_id, "custom", {"name": name, "data": data})

    def on_text(self, text: str, *, run_id: UUID, **kwargs: Any) -> None:
        self._event(run_id, "text", {"text": text})

    # -- control -----------------------------------------------------------------------------

    def flush(self, timeout: float | None = 30.0) -> bool:
        """Wait until everything queued so far is committed; False on timeout."""
        if self._thread is None or not self._thread.is_alive():
            return not self._queue
        done = threading.Event()
        self._queue.extend((FLUSH, done))
        self._wake.set()
        return done.wait(timeout)

    def close(self, timeout: float | None = 30.0) -> None:
        """Flush and stop the writer; later events are dropped (and counted in `dropped`)."""
        self.flush(timeout)
        self._closed = True
        self._open = False
        thread = self._thread
        if thread is not None:
            self._wake.set()
            thread.join(timeout)

    def dropped_note(self) -> str | None:
        """One line saying how many traces were not recorded and why, or None when none were.
        Process-wide tracing (`RUNWIRE_TRACE`, `runwire run`) prints it on stderr at exit."""
        count = self.dropped_traces
        if not count:
            return None
        traces = "trace was" if count == 1 else "traces were"
        if self.refused:
            return f"runwire: {count} {traces} not recorded: {self.refused}"
        return (
            f"runwire: {count} {traces} not recorded in {self.path}: the trace writer fell behind "
            "(its queue was full); pass max_queue= or on_full='block' to SQLiteTracer to keep them"
        )

    # -- the writer thread -------------------------------------------------------------------

    def _start_writer(self) -> None:
        with self._lock:
            if self._thread is None and not self._closed:
                thread = threading.Thread(target=self._serve, name="runwire-sqlite-writer", daemon=True)
                self._thread = thread
                thread.start()
                self._open = True

    def _serve(self) -> None:
        conn = None
        try:
            conn = connect(self.path, create=True)
        except StoreError as exc:  # a foreign or newer file: one clear line, no traceback
            self.refused = str(exc)
            logger.warning("runwire: not recording traces: %s", exc)
        except Exception:
            self.refused = f"cannot open the trace store at {self.path}"
            logger.exception("runwire: cannot open the trace store at %s; runs are not recorded", self.path)
        queue = self._queue
        while True:
            self._wake.wait(self.flush_interval)
            self._wake.clear()
            closing = self._closed
            while queue:
                # Only this thread pops, and records are appended whole (one `extend`), so a
                # snapshot of `len` ends on a record boundary.
                popleft = queue.popleft
                batch = [popleft() for _ in range(len(queue))]
                began = time.thread_time()
                self._write(conn, batch)
                del batch  # the payloads it holds must not outlive their write (GC scans them)
                self.busy_seconds += time.thread_time() - began
            if closing:
                break
        if conn is not None:
            conn.close()

    def _write(self, conn: Any, batch: list[Any]) -> None:
        records = list(split(batch))
        markers = [record[1] for record in records if record[0] == FLUSH]
        try:
            if conn is None:
                self.dropped += len(records) - len(markers)
                self.dropped_traces += sum(1 for r in records if r[0] == START and r[2] is None)
                return
            starts, ends, events = rows(records, self.content, self._traces, self._seq)
            try:
                conn.execute("BEGIN IMMEDIATE")
                conn.executemany(INSERT, starts.values())
                conn.executemany(UPDATE, ends)
                conn.executemany(EVENT_INSERT, events)
                conn.execute("COMMIT")
                self.runs_written += sum(1 for row in starts.values() if row[6] != "running") + len(ends)
            except Exception:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                self.dropped += len(records) - len(markers)
                logger.exception("runwire: could not write %d trace events to %s", len(records), self.path)
        finally:
            for marker in markers:
                marker.set()


_live: weakref.WeakSet[SQLiteTracer] = weakref.WeakSet()


def _close_all() -> None:
    for tracer in list(_live):
        try:
            tracer.close(timeout=10)
        except Exception:
            logger.exception("runwire: flushing %r at exit failed", tracer)


def _after_fork() -> None:
    # The writer thread does not survive a fork: the child starts its own on its first event,
    # and leaves the parent's queued events to the parent.
    for tracer in list(_live):
        tracer._reset()


atexit.register(_close_all)
os.register_at_fork(after_in_child=_after_fork)

__all__ = ["SQLiteTracer", "default_path"]
