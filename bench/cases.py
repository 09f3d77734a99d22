"""The figures of reference/perf_baseline.md: what each one runs, for each library.

A figure is one function that builds its workload from a library's classes (`Lib`) and returns
a `Probe` for `_timing` to measure. The same function runs against runwire and against
langchain-core, so both do exactly the same work; the plain-Python floors are separate
functions with no library at all. Not here: timing, subprocesses, tables (see run.py).
"""

from __future__ import annotations

import asyncio
import importlib
import itertools
import re
import shutil
import tempfile
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, ClassVar

LIBRARIES = ("runwire", "langchain-core")
PACKAGES = {"runwire": "runwire", "langchain-core": "langchain_core"}

TEMPLATE = "What is 1 + {number}?"
INPUT = {"number": "2"}
REPLY = "The answer is 3."
BATCH = 1000  # as the baseline's c
GATHER = 1000  # as the baseline's d
SLEEP = 0.01  # seconds the model of d sleeps
STREAM_REPLY = " ".join(f"w{i}" for i in range(1000))  # streams as 1000 words + 999 spaces
STREAM_TOKENS = len(re.split(r"(\s)", STREAM_REPLY))  # 1999


class NotAvailable(Exception):
    """The library cannot run this figure yet; the table shows `n/a (reason)`."""


class Lib:
    """A library's public classes, imported on first use from the same dotted paths in both
    (runwire mirrors langchain-core's), so a figure that does not need prompts still runs
    while `<lib>.prompts` is missing."""

    _MODULES: ClassVar[dict[str, str]] = {
        "ChatPromptTemplate": "prompts",
        "StrOutputParser": "output_parsers",
        "GenericFakeChatModel": "language_models",
        "FakeListChatModel": "language_models",
        "BaseCallbackHandler": "callbacks",
        "AsyncCallbackHandler": "callbacks",
        "RunnableLambda": "runnables",
        "RunnableSequence": "runnables",
        "BackgroundHandler": "callbacks",
        "SQLiteTracer": "tracers.sqlite",  # p20sql: runwire only
    }

    def __init__(self, name: str) -> None:
        self.name = name
        self.package = PACKAGES[name]

    def __getattr__(self, attr: str) -> Any:
        if attr not in self._MODULES:
            raise AttributeError(attr)
        module = importlib.import_module(f"{self.package}.{self._MODULES[attr]}")
        value = getattr(module, attr)
        setattr(self, attr, value)
        return value


def import_snippet(library: str) -> str:
    """The statements h.import times in a fresh process."""
    package = PACKAGES[library]
    return (
        f"from {package}.runnables import RunnableLambda, RunnableParallel, RunnablePassthrough\n"
        f"from {package}.prompts import ChatPromptTemplate\n"
    )


@dataclass(slots=True)
class Probe:
    """What `_timing` measures: `fn` takes no arguments; for whole-call figures it returns the
    number of units done (items, tokens). `note` is shown under the table."""

    fn: Callable[[], Any]
    note: str | None = None
    single_threaded: bool = True  # wall and CPU time should agree; the driver warns if not
    drain: Callable[[], object] | None = None  # "caller" figures: lets a background thread catch up
    after: Callable[[], str] | None = None  # a note worked out once the figure is measured
    close: Callable[[], object] | None = None  # frees what the probe holds (threads, temp files)


@dataclass(frozen=True, slots=True)
class Case:
    figure: str
    kind: str  # "loop" (per call, µs) | "caller" (caller-thread CPU per call, µs) | "whole" (ms per
    # call) | "stream" (tokens/s) | "peak" (bytes)
    build: Callable[[Lib | None], Probe]
    libraries: tuple[str, ...]


CASES: dict[str, Case] = {}


def _register(figure: str, kind: str, build: Callable[..., Probe], libraries: tuple[str, ...]) -> None:
    CASES[figure] = Case(figure, kind, build, libraries)


# --- handlers ----------------------------------------------------------------------------


_HANDLER_CLASSES: dict[str, dict[str, type]] = {}


def _handler_classes(lib: Lib) -> dict[str, type]:
    """One set of handler classes per library and process (a new class per call would measure
    class creation, the bug the baseline's first g.peak harness had)."""
    if lib.name in _HANDLER_CLASSES:
        return _HANDLER_CLASSES[lib.name]
    base, async_base = lib.BaseCallbackHandler, lib.AsyncCallbackHandler

    class Silent(base):
        """No methods, as the baseline's handlers."""

    class Listening(base):
        """Overrides the events chain (a) produces, each a no-op."""

        def on_chain_start(self, serialized: Any, inputs: Any, **kwargs: Any) -> None:
            pass

        def on_chain_end(self, outputs: Any, **kwargs: Any) -> None:
            pass

        def on_chat_model_start(self, serialized: Any, messages: Any, **kwargs: Any) -> None:
            pass

        def on_llm_start(self, serialized: Any, prompts: Any, **kwargs: Any) -> None:
            pass

        def on_llm_end(self, response: Any, **kwargs: Any) -> None:
            pass

    class AsyncListening(async_base):
        """The same events, as coroutines."""

        async def on_chain_start(self, serialized: Any, inputs: Any, **kwargs: Any) -> None:
            pass

        async def on_chain_end(self, outputs: Any, **kwargs: Any) -> None:
            pass

        async def on_chat_model_start(self, serialized: Any, messages: Any, **kwargs: Any) -> None:
            pass

        async def on_llm_start(self, serialized: Any, prompts: Any, **kwargs: Any) -> None:
            pass

        async def on_llm_end(self, response: Any, **kwargs: Any) -> None:
            pass

    class EventCounter(base):
        """Listening, counting: checks once per case that the listening handler is called."""

        def __init__(self) -> None:
            self.events = 0

        def on_chain_start(self, serialized: Any, inputs: Any, **kwargs: Any) -> None:
            self.events += 1

        def on_chain_end(self, outputs: Any, **kwargs: Any) -> None:
            self.events += 1

        def on_chat_model_start(self, serialized: Any, messages: Any, **kwargs: Any) -> None:
            self.events += 1

        def on_llm_start(self, serialized: Any, prompts: Any, **kwargs: Any) -> None:
            self.events += 1

        def on_llm_end(self, response: Any, **kwargs: Any) -> None:
            self.events += 1

    class Recording(base):
        """Records (run_id, parent_run_id, name) on every start and (run_id, parent_run_id) on
        every end, as a tracer's first step does (bounded, so the log never grows the heap)."""

        def __init__(self) -> None:
            self.log: deque[tuple[Any, ...]] = deque(maxlen=64)

        def on_chain_start(self, serialized: Any, inputs: Any, **kwargs: Any) -> None:
            self.log.append((kwargs["run_id"], kwargs.get("parent_run_id"), kwargs.get("name")))

        def on_chain_end(self, outputs: Any, **kwargs: Any) -> None:
            self.log.append((kwargs["run_id"], kwargs.get("parent_run_id")))

        def on_chat_model_start(self, serialized: Any, messages: Any, **kwargs: Any) -> None:
            self.log.append((kwargs["run_id"], kwargs.get("parent_run_id"), kwargs.get("name")))

        def on_llm_start(self, serialized: Any, prompts: Any, **kwargs: Any) -> None:
            self.log.append((kwargs["run_id"], kwargs.get("parent_run_id"), kwargs.get("name")))

        def on_llm_end(self, response: Any, **kwargs: Any) -> None:
            self.log.append((kwargs["run_id"], kwargs.get("parent_run_id")))

    class TokenCounter(base):
        def __init__(self) -> None:
            self.tokens = 0

        def on_llm_new_token(self, token: str, **kwargs: Any) -> None:
            self.tokens += 1

    class AsyncTokenCounter(async_base):
        def __init__(self) -> None:
            self.tokens = 0

        async def on_llm_new_token(self, token: str, **kwargs: Any) -> None:
            self.tokens += 1

    classes = {
        "silent": Silent,
        "listening": Listening,
        "async": AsyncListening,
        "events": EventCounter,
        "recording": Recording,
        "tokens": TokenCounter,
        "async-tokens": AsyncTokenCounter,
    }
    _HANDLER_CLASSES[lib.name] = classes
    return classes


def _config(lib: Lib, kind: str | None, count: int = 1) -> tuple[dict[str, Any] | None, list[Any]]:
    if kind is None:
        return None, []
    handlers = [_handler_classes(lib)[kind]() for _ in range(count)]
    return {"callbacks": handlers}, handlers


def _chain_a(lib: Lib, model: Any = None) -> Any:
    """Chain (a): prompt | fake chat model | string parser."""
    if model is None:
        model = lib.GenericFakeChatModel(messages=itertools.repeat(REPLY))
    return lib.ChatPromptTemplate.from_template(TEMPLATE) | model | lib.StrOutputParser()


def _check_reply(out: object) -> None:
    if out != REPLY:
        raise NotAvailable(f"chain (a) returned {out!r}, expected {REPLY!r}")


def _check_listening(lib: Lib, run: Callable[[dict[str, Any]], object], handler: str | None) -> str | None:
    """Run once with a counting twin of the listening handler; fail if it hears nothing."""
    if handler == "recording":
        recorder = _handler_classes(lib)["recording"]()
        run({"callbacks": [recorder]})
        if not recorder.log:
            raise NotAvailable("the recording handler heard no event")
        return f"the recording handler records {len(recorder.log)} starts/ends per call"
    if handler not in {"listening", "async"}:
        return None
    counter = _handler_classes(lib)["events"]()
    run({"callbacks": [counter]})
    if not counter.events:
        raise NotAvailable("the listening handler heard no event")
    return f"the listening handler hears {counter.events} events per call"


# --- a: chain (a) invoke -------------------------------------------------------------------


def a_invoke(lib: Lib, handler: str | None, count: int = 1) -> Probe:
    chain = _chain_a(lib)
    config, _ = _config(lib, handler, count)
    _check_reply(chain.invoke(INPUT, config=config))
    note = _check_listening(lib, partial(chain.invoke, INPUT), handler)
    return Probe(partial(chain.invoke, INPUT, config=config), note)


# p20sql: chain (a) with the SQLite trace store listening (runwire only) ---------------------


def a_invoke_sqlite(lib: Lib) -> Probe:
    """Chain (a) with `SQLiteTracer` on a temp file, writer deferred: it sleeps through each timed
    repeat (the queue holds the events) and drains between repeats, as in a program whose model
    calls wait on the network. The figure is the caller thread's CPU per invoke."""
    if lib.name != "runwire":
        raise NotAvailable("langchain-core has no SQLite tracer")
    chain = _chain_a(lib)
    folder = tempfile.mkdtemp(prefix="runwire-bench-")
    tracer = lib.SQLiteTracer(
        Path(folder) / "traces.db", flush_interval=3600, batch_size=10**9, max_queue=10**9
    )
    config = {"callbacks": [tracer]}

    def close() -> None:
        tracer.close()
        shutil.rmtree(folder, ignore_errors=True)

    try:
        _check_reply(chain.invoke(INPUT, config=config))
        tracer.flush()
    except BaseException:
        close()
        raise
    if tracer.runs_written != 4:  # sequence, prompt, model, parser
        close()
        raise NotAvailable(f"the tracer stored {tracer.runs_written} runs per call, expected 4")
    busy, runs = tracer.busy_seconds, tracer.runs_written

    def after() -> str:
        per_run = (tracer.busy_seconds - busy) / max(1, tracer.runs_written - runs) * 1e6
        lost = f", {tracer.dropped} events dropped" if tracer.dropped else ""
        return f"4 runs stored per call; the writer thread's CPU {per_run:.1f} µs per run{lost}"

    return Probe(partial(chain.invoke, INPUT, config=config), drain=tracer.flush, after=after, close=close)


# --- b: sequences of identity lambdas ----------------------------------------------------


def identity(x: Any) -> Any:
    return x


def b_sequence(lib: Lib, steps: int, handler: str | None) -> Probe:
    chain = lib.RunnableSequence(*[lib.RunnableLambda(identity) for _ in range(steps)])
    config, _ = _config(lib, handler)
    note = _check_listening(lib, partial(chain.invoke, 1), handler)
    return Probe(partial(chain.invoke, 1, config=config), note)


# --- c: batch --------------------------------------------------------------------------------


def c_batch(lib: Lib, handler: str | None) -> Probe:
    chain = _chain_a(lib)
    config, _ = _config(lib, handler)
    inputs = [INPUT] * BATCH

    def run() -> int:
        return len(chain.batch(inputs, config=config))

    if chain.batch(inputs, config=config) != [REPLY] * BATCH:
        raise NotAvailable("batch() did not return the reply for every input")
    return Probe(run, single_threaded=False)


# --- d: concurrent ainvoke ---------------------------------------------------------------------


_SLEEPY_EVENTS = ("on_chain_start", "on_chain_end", "on_chat_model_start", "on_llm_end")


class _Sleepy:
    """A sink that takes 50 ms per event (disk or network), for background delivery."""

    def __init__(self, base: type) -> None:
        self.handler = type(
            "Sleepy",
            (base,),
            dict.fromkeys(_SLEEPY_EVENTS, _sleep_50ms),
        )()


def _sleep_50ms(self: Any, *args: Any, **kwargs: Any) -> None:
    import time

    time.sleep(0.05)


def d_gather(lib: Lib, handler: str | None) -> Probe:
    chain = _chain_a(lib, lib.FakeListChatModel(responses=[REPLY], sleep=SLEEP))
    if handler == "background":
        if lib.name != "runwire":
            raise NotAvailable("langchain-core has no background delivery")
        slow = _Sleepy(lib.BaseCallbackHandler).handler
        config: dict[str, Any] | None = {"callbacks": [lib.BackgroundHandler(slow, max_queue=1_000_000)]}
    else:
        config, _ = _config(lib, handler)
    loop = asyncio.new_event_loop()

    async def gather() -> int:
        results = await asyncio.gather(*(chain.ainvoke(INPUT, config=config) for _ in range(GATHER)))
        if results != [REPLY] * GATHER:
            raise NotAvailable("ainvoke did not return the reply")
        return len(results)

    def run() -> int:
        return loop.run_until_complete(gather())

    return Probe(run, single_threaded=False)


# --- e: streaming ------------------------------------------------------------------------------


def e_stream(lib: Lib, handler: str | None, *, is_async: bool) -> Probe:
    chain = _chain_a(lib, lib.GenericFakeChatModel(messages=itertools.repeat(STREAM_REPLY)))
    config, handlers = _config(lib, handler)
    loop = asyncio.new_event_loop() if is_async else None

    async def consume_async() -> int:
        count = 0
        async for _ in chain.astream(INPUT, config=config):
            count += 1
        return count

    def run() -> int:
        if loop is not None:
            return loop.run_until_complete(consume_async())
        count = 0
        for _ in chain.stream(INPUT, config=config):
            count += 1
        return count

    tokens = run()
    if tokens == 0:
        raise NotAvailable("the stream yielded no tokens")
    if tokens < STREAM_TOKENS // 2:
        raise NotAvailable(f"{tokens} chunk(s) for a {STREAM_TOKENS}-token reply: not streaming")
    note = None
    if handlers:
        heard = handlers[0].tokens
        if heard == 0:
            raise NotAvailable("the handler heard no on_llm_new_token")
        note = f"the handler counted {heard} tokens of {tokens} streamed"
    return Probe(run, note, single_threaded=not is_async)


# --- f: astream_events -----------------------------------------------------------------------------


def f_events(lib: Lib) -> Probe:
    chain = _chain_a(lib, lib.GenericFakeChatModel(messages=itertools.repeat("1 + 2 = 3 and 4 5 6")))
    loop = asyncio.new_event_loop()

    async def consume() -> int:
        count = 0
        async for _ in chain.astream_events(INPUT, version="v2"):
            count += 1
        return count

    def run() -> int:
        return loop.run_until_complete(consume())

    events = run()
    if events < 10:
        raise NotAvailable(f"only {events} events")
    return Probe(run, f"{events} events per call", single_threaded=True)


# --- g: memory -----------------------------------------------------------------------------------


def g_peak(lib: Lib, handler: str | None) -> Probe:
    chain = _chain_a(lib)
    config, _ = _config(lib, handler)
    _check_reply(chain.invoke(INPUT, config=config))
    note = _check_listening(lib, partial(chain.invoke, INPUT), handler)
    return Probe(partial(chain.invoke, INPUT, config=config), note)


# --- i: Dask batch with a handler on the driver vs without (p20dask) ---------------------------


def i_dask(lib: Lib, handler: bool) -> Probe:
    if lib.name != "runwire":
        raise NotAvailable("langchain-core has no distributed executor")
    import dask_batch

    run, note = dask_batch.build(handler)
    return Probe(run, note=note, single_threaded=False)


# --- floors: the same work in plain Python -------------------------------------------------


class _Message:
    __slots__ = ("content",)

    def __init__(self, content: str) -> None:
        self.content = content


class _FloorHandler:
    """What any callback system that reports runs must call at least: a start and an end."""

    __slots__ = ()

    def on_start(self, run_id: uuid.UUID, parent_run_id: uuid.UUID | None, inputs: Any) -> None:
        pass

    def on_end(self, run_id: uuid.UUID, outputs: Any) -> None:
        pass


class _FloorRecorder(_FloorHandler):
    """The recording handler's work in plain Python: one tuple appended per start and end."""

    __slots__ = ("log",)

    def __init__(self) -> None:
        self.log: deque[tuple[Any, ...]] = deque(maxlen=64)

    def on_start(self, run_id: uuid.UUID, parent_run_id: uuid.UUID | None, inputs: Any) -> None:
        self.log.append((run_id, parent_run_id, "name"))

    def on_end(self, run_id: uuid.UUID, outputs: Any) -> None:
        self.log.append((run_id, None))


def floor_a(inputs: dict[str, str]) -> str:
    """Format the prompt, build a message object, return a fixed reply."""
    _Message(TEMPLATE.format(**inputs))
    return REPLY


def floor_a_handlers(inputs: dict[str, str], handlers: list[_FloorHandler]) -> str:
    """floor_a plus a uuid4 run id and a start and an end call per handler for 4 runs."""
    root = uuid.uuid4()
    for h in handlers:
        h.on_start(root, None, inputs)
    run = uuid.uuid4()
    for h in handlers:
        h.on_start(run, root, inputs)
    prompt = _Message(TEMPLATE.format(**inputs))
    for h in handlers:
        h.on_end(run, prompt)
    run = uuid.uuid4()
    for h in handlers:
        h.on_start(run, root, prompt)
    reply = _Message(REPLY)
    for h in handlers:
        h.on_end(run, reply)
    run = uuid.uuid4()
    for h in handlers:
        h.on_start(run, root, reply)
    out = reply.content
    for h in handlers:
        h.on_end(run, out)
    for h in handlers:
        h.on_end(root, out)
    return out


def floor_b(x: Any, steps: list[Callable[[Any], Any]]) -> Any:
    for step in steps:
        x = step(x)
    return x


def floor_b_handlers(x: Any, steps: list[Callable[[Any], Any]], handlers: list[_FloorHandler]) -> Any:
    """floor_b plus a uuid4 and a start and an end call per handler for 1 + len(steps) runs."""
    root = uuid.uuid4()
    for h in handlers:
        h.on_start(root, None, x)
    for step in steps:
        run = uuid.uuid4()
        for h in handlers:
            h.on_start(run, root, x)
        x = step(x)
        for h in handlers:
            h.on_end(run, x)
    for h in handlers:
        h.on_end(root, x)
    return x


def floor_a_probe(_: None, handlers: int = 0, recording: bool = False) -> Probe:
    kind = _FloorRecorder if recording else _FloorHandler
    if handlers:
        return Probe(partial(floor_a_handlers, INPUT, [kind() for _ in range(handlers)]))
    return Probe(partial(floor_a, INPUT))


def floor_b_probe(_: None, steps: int, handlers: int = 0, recording: bool = False) -> Probe:
    lambdas = [lambda x: x for _ in range(steps)]
    kind = _FloorRecorder if recording else _FloorHandler
    if handlers:
        return Probe(partial(floor_b_handlers, 1, lambdas, [kind() for _ in range(handlers)]))
    return Probe(partial(floor_b, 1, lambdas))


def floor_c_probe(_: None) -> Probe:
    inputs = [INPUT] * BATCH

    def run() -> int:
        return len([floor_a(x) for x in inputs])

    return Probe(run)


def floor_d_probe(_: None) -> Probe:
    loop = asyncio.new_event_loop()

    async def one(inputs: dict[str, str]) -> str:
        _Message(TEMPLATE.format(**inputs))
        await asyncio.sleep(SLEEP)
        return REPLY

    async def gather() -> int:
        return len(await asyncio.gather(*(one(INPUT) for _ in range(GATHER))))

    def run() -> int:
        return loop.run_until_complete(gather())

    return Probe(run, single_threaded=False)


def floor_e_probe(_: None) -> Probe:
    """A generator of chunk objects for the same reply, a counter called for each."""
    parts = re.split(r"(\s)", STREAM_REPLY)

    class Counter:
        __slots__ = ("tokens",)

        def __init__(self) -> None:
            self.tokens = 0

        def on_llm_new_token(self, token: str) -> None:
            self.tokens += 1

    def chunks(counter: Counter) -> Any:
        for part in parts:
            chunk = _Message(part)
            counter.on_llm_new_token(part)
            yield chunk

    def run() -> int:
        count = 0
        for _ in chunks(Counter()):
            count += 1
        return count

    return Probe(run)


# --- the registry: figure name -> case ------------------------------------------------------

FLOOR = ("floor",)
_register("floor.a", "loop", floor_a_probe, FLOOR)
_register("floor.a.h1", "loop", partial(floor_a_probe, handlers=1), FLOOR)
_register("floor.a.h3", "loop", partial(floor_a_probe, handlers=3), FLOOR)
_register("floor.a.h1.recording", "loop", partial(floor_a_probe, handlers=1, recording=True), FLOOR)
_register("floor.a.h3.recording", "loop", partial(floor_a_probe, handlers=3, recording=True), FLOOR)
_register("floor.b2", "loop", partial(floor_b_probe, steps=2), FLOOR)
_register("floor.b2.h1", "loop", partial(floor_b_probe, steps=2, handlers=1), FLOOR)
_register("floor.b", "loop", partial(floor_b_probe, steps=10), FLOOR)
_register("floor.b.h1", "loop", partial(floor_b_probe, steps=10, handlers=1), FLOOR)
_register("floor.b2.h1.recording", "loop", partial(floor_b_probe, steps=2, handlers=1, recording=True), FLOOR)
_register("floor.b.h1.recording", "loop", partial(floor_b_probe, steps=10, handlers=1, recording=True), FLOOR)
_register("floor.c", "whole", floor_c_probe, FLOOR)
_register("floor.d", "whole", floor_d_probe, FLOOR)
_register("floor.e", "stream", floor_e_probe, FLOOR)
_register("floor.g", "peak", floor_a_probe, FLOOR)

_register("a.invoke.h0", "loop", partial(a_invoke, handler=None), LIBRARIES)
_register("a.invoke.h1", "loop", partial(a_invoke, handler="silent"), LIBRARIES)
_register("a.invoke.h3", "loop", partial(a_invoke, handler="silent", count=3), LIBRARIES)
_register("a.invoke.h1.listening", "loop", partial(a_invoke, handler="listening"), LIBRARIES)
_register("a.invoke.h3.listening", "loop", partial(a_invoke, handler="listening", count=3), LIBRARIES)
_register("a.invoke.h1.recording", "loop", partial(a_invoke, handler="recording"), LIBRARIES)
_register("a.invoke.h3.recording", "loop", partial(a_invoke, handler="recording", count=3), LIBRARIES)
for _steps in (2, 10):
    _register(f"b.seq{_steps}.h0", "loop", partial(b_sequence, steps=_steps, handler=None), LIBRARIES)
    _register(f"b.seq{_steps}.h1", "loop", partial(b_sequence, steps=_steps, handler="silent"), LIBRARIES)
    _register(
        f"b.seq{_steps}.h1.listening",
        "loop",
        partial(b_sequence, steps=_steps, handler="listening"),
        LIBRARIES,
    )
    _register(
        f"b.seq{_steps}.h1.recording",
        "loop",
        partial(b_sequence, steps=_steps, handler="recording"),
        LIBRARIES,
    )
_register(f"c.batch{BATCH}.h0", "whole", partial(c_batch, handler=None), LIBRARIES)
_register(f"c.batch{BATCH}.h1.listening", "whole", partial(c_batch, handler="listening"), LIBRARIES)
_register(f"c.batch{BATCH}.h1async", "whole", partial(c_batch, handler="async"), LIBRARIES)
_register(f"d.agather{GATHER}.h0", "whole", partial(d_gather, handler=None), LIBRARIES)
_register(f"d.agather{GATHER}.h1.listening", "whole", partial(d_gather, handler="listening"), LIBRARIES)
_register(f"d.agather{GATHER}.h1.recording", "whole", partial(d_gather, handler="recording"), LIBRARIES)
_register(f"d.agather{GATHER}.h1async", "whole", partial(d_gather, handler="async"), LIBRARIES)
_register("e.stream2000.h0", "stream", partial(e_stream, handler=None, is_async=False), LIBRARIES)
_register("e.stream2000.h1", "stream", partial(e_stream, handler="tokens", is_async=False), LIBRARIES)
_register("e.astream2000.h0", "stream", partial(e_stream, handler=None, is_async=True), LIBRARIES)
_register("e.astream2000.h1", "stream", partial(e_stream, handler="tokens", is_async=True), LIBRARIES)
_register(
    "e.astream2000.h1async", "stream", partial(e_stream, handler="async-tokens", is_async=True), LIBRARIES
)
_register(f"d.agather{GATHER}.h1.background", "whole", partial(d_gather, handler="background"), LIBRARIES)
_register("f.astream_events", "events", f_events, LIBRARIES)
_register("g.peak.h0", "peak", partial(g_peak, handler=None), LIBRARIES)
_register("g.peak.h1.listening", "peak", partial(g_peak, handler="listening"), LIBRARIES)
_register("g.peak.h1.recording", "peak", partial(g_peak, handler="recording"), LIBRARIES)
# p20dask
_register("i.dask.h0", "whole", partial(i_dask, handler=False), LIBRARIES)
_register("i.dask.h1", "whole", partial(i_dask, handler=True), LIBRARIES)

# p20otel: chain (a) with `OpenTelemetryTracer` (runwire only: langchain-core has no OTel tracer).


def _otel_provider(exporter: Any = None) -> Any:
    """An SDK provider behind a BatchSpanProcessor (what applications use) whose exporter drops
    every batch (or `exporter`); imported here, so the other figures never load OpenTelemetry."""
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult

    class Drop(SpanExporter):
        def export(self, spans: Any) -> SpanExportResult:
            return SpanExportResult.SUCCESS

    provider = TracerProvider()
    provider.add_span_processor(BatchSpanProcessor(exporter or Drop(), max_queue_size=1 << 16))
    return provider


def a_invoke_otel(lib: Lib, exclude: tuple[str, ...] = ()) -> Probe:
    if lib.name != "runwire":
        raise NotAvailable("langchain-core has no OpenTelemetry tracer")
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from runwire.tracers.otel import OpenTelemetryTracer

    chain = _chain_a(lib)
    seen = InMemorySpanExporter()  # one checked call: the spans the timed calls make
    probe_provider = _otel_provider(seen)
    _check_reply(
        chain.invoke(INPUT, {"callbacks": [OpenTelemetryTracer(probe_provider, exclude_types=exclude)]})
    )
    probe_provider.force_flush()
    names = [span.name for span in seen.get_finished_spans()]
    probe_provider.shutdown()
    if not names:
        raise NotAvailable("the tracer exported no span")
    tracer = OpenTelemetryTracer(_otel_provider(), exclude_types=exclude)
    fn = partial(chain.invoke, INPUT, config={"callbacks": [tracer]})
    recorder = _handler_classes(lib)["recording"]()
    ratio = _interleaved_ratio(fn, partial(chain.invoke, INPUT, config={"callbacks": [recorder]}))
    note = (
        f"{len(names)} spans per call ({', '.join(names)}), BatchSpanProcessor, exporter drops; "
        f"{ratio:.2f}x the recording handler in CPU time, measured interleaved in one process "
        "(median of 7 alternating rounds: steadier than two processes on a busy machine)"
    )
    return Probe(fn, note)


def _interleaved_ratio(fn: Callable[[], object], ref: Callable[[], object], rounds: int = 7) -> float:
    """Median over alternating rounds of (CPU time of `fn`) / (CPU time of `ref`), ~20 ms each."""
    import statistics
    import time

    def cpu(f: Callable[[], object], n: int) -> int:
        start = time.thread_time_ns()
        for _ in range(n):
            f()
        return time.thread_time_ns() - start

    n = max(1, 20_000_000 // max(1, cpu(fn, 20) // 20))
    cpu(fn, n // 2), cpu(ref, n // 2)  # warm-up
    return statistics.median(cpu(fn, n) / cpu(ref, n) for _ in range(rounds))


class _FloorSpans(_FloorRecorder):
    """The recording floor plus what any OTel exporter pays on this SDK: a span per run (the
    `spans_at`-th starts of a call) with an explicit parent and the run id as its one attribute,
    made current around the run and ended at its end."""

    __slots__ = ("attach", "detach", "open", "spans_at", "started", "tracer", "with_span")

    def __init__(self, spans_at: tuple[int, ...]) -> None:
        from opentelemetry import context, trace

        super().__init__()
        self.tracer = _otel_provider().get_tracer("floor")
        self.with_span, self.attach, self.detach = trace.set_span_in_context, context.attach, context.detach
        self.open: dict[uuid.UUID, tuple[Any, Any, Any]] = {}
        self.spans_at, self.started = spans_at, 0

    def on_start(self, run_id: uuid.UUID, parent_run_id: uuid.UUID | None, inputs: Any) -> None:
        super().on_start(run_id, parent_run_id, inputs)
        index, self.started = self.started % 4, self.started + 1
        if index in self.spans_at:
            parent = self.open.get(parent_run_id) if parent_run_id is not None else None
            context = parent[1] if parent is not None else None
            span = self.tracer.start_span("run", context, attributes={"runwire.run_id": str(run_id)})
            ctx = self.with_span(span, context)
            self.open[run_id] = (span, ctx, self.attach(ctx))

    def on_end(self, run_id: uuid.UUID, outputs: Any) -> None:
        super().on_end(run_id, outputs)
        found = self.open.pop(run_id, None)
        if found is not None:
            self.detach(found[2])
            found[0].end()


def floor_a_otel_probe(_: None, spans_at: tuple[int, ...]) -> Probe:
    handler = _FloorSpans(spans_at)
    return Probe(partial(floor_a_handlers, INPUT, [handler]), f"{len(spans_at)} SDK spans per call")


OTEL_LEAN = ("prompt", "parser")
_register("floor.a.h1.otel", "loop", partial(floor_a_otel_probe, spans_at=(0, 1, 2, 3)), FLOOR)
_register("floor.a.h1.otel.lean", "loop", partial(floor_a_otel_probe, spans_at=(0, 2)), FLOOR)
_register("a.invoke.h1.otel", "loop", a_invoke_otel, ("runwire",))
_register("a.invoke.h1.otel.lean", "loop", partial(a_invoke_otel, exclude=OTEL_LEAN), ("runwire",))
# p20sql
_register("a.invoke.h1.sqlite", "caller", a_invoke_sqlite, ("runwire",))
