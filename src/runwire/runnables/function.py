"""RunnableLambda and RunnableGenerator: plain functions as runnables.

Whether a function takes `config` (or `run_manager`) is decided once, at construction, from
its code object, never per call; keyword arguments bound with `.bind()` reach the function.
A function that returns a runnable has it invoked as a child, one level deeper in the
config's `recursion_limit` (RecursionError past it, as in langchain-core).
"""

from __future__ import annotations

import functools
import operator
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from typing import Any, ClassVar, cast, get_args

from runwire.runnables import schema
from runwire.runnables.base import Input, Output, Runnable
from runwire.runnables.config import (
    DEFAULT_RECURSION_LIMIT,
    RunnableConfig,
    ambient_config,
    child_config,
    config_for_function,
    ensure_config,
    run_in_executor,
)
from runwire.runnables.streaming import aclose_upstream, add_chunks, aiter_of, astream_run, stream_run

_accepts: dict[Any, frozenset[str]] = {}


def accepted_kwargs(func: Callable[..., Any]) -> frozenset[str]:
    """Which of `config`, `run_manager`, `callbacks` `func` accepts (cached per function)."""
    key = getattr(func, "__func__", func)
    try:
        found = _accepts.get(key)
    except TypeError:  # unhashable callable
        found, key = None, None
    if found is not None:
        return found
    code = getattr(key, "__code__", None)
    if code is not None and not isinstance(func, functools.partial):
        names = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
    else:
        import inspect

        try:
            names = tuple(inspect.signature(func).parameters)
        except (TypeError, ValueError):
            names = ()
    found = frozenset(n for n in ("config", "run_manager", "callbacks") if n in names)
    if key is not None:
        _accepts[key] = found
    return found


def _introspect() -> Any:
    # `inspect` and `ast` cost milliseconds to import: loaded when a schema or graph is asked for.
    from runwire.runnables import introspect

    return introspect


def is_generator_function(func: Any) -> bool:
    import inspect

    return inspect.isgeneratorfunction(func) or inspect.isasyncgenfunction(func)


def _is_async(func: Any) -> bool:
    import inspect

    call = type(func).__dict__.get("__call__")  # a callable object with an `async def __call__`
    return inspect.iscoroutinefunction(func) or (call is not None and inspect.iscoroutinefunction(call))


def _lambda_source(func: Any) -> str | None:
    """langchain-core's `get_lambda_source`: the source of the one lambda in `func`'s source,
    else the function's name (read only when a repr is asked for)."""
    import ast
    import inspect
    import textwrap

    name = getattr(func, "__name__", None)
    name = None if name == "<lambda>" else name
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    except (SyntaxError, TypeError, OSError, SystemError):
        return name

    def outer_lambdas(node: ast.AST) -> list[ast.Lambda]:  # a lambda's own lambdas do not count
        if isinstance(node, ast.Lambda):
            return [node]
        return [found for child in ast.iter_child_nodes(node) for found in outer_lambdas(child)]

    lambdas = outer_lambdas(tree)
    return ast.unparse(lambdas[0]) if len(lambdas) == 1 else name


def fold_chunks(chunks: Iterable[Any]) -> Any:
    """A generator function's chunks added up as langchain-core does (`+`, else the last one)."""
    output: Any = None
    for chunk in chunks:
        if output is None:
            output = chunk
        else:
            try:
                output = output + chunk
            except TypeError:
                output = chunk
    return output


def _recursion_config(config: RunnableConfig | None, run: Any, owner: Any, input: Any) -> Any:
    """The child config for a runnable a function returned: one level deeper, or RecursionError."""
    limit = (config or ensure_config()).get("recursion_limit", DEFAULT_RECURSION_LIMIT)
    if limit <= 0:
        raise RecursionError(f"Recursion limit reached when invoking {owner} with input {input}.")
    return {**(child_config(config, run) or {}), "recursion_limit": limit - 1}


async def _afold(chunks: AsyncIterator[Any]) -> Any:
    """Async `fold_chunks`."""
    output: Any = None
    async for chunk in chunks:
        if output is None:
            output = chunk
        else:
            try:
                output = output + chunk
            except TypeError:
                output = chunk
    return output


def _func_name(func: Any) -> str | None:
    name = getattr(func, "__name__", None)
    return None if name in (None, "<lambda>") else name


class RunnableLambda(Runnable[Input, Output]):
    """A function as a runnable. `afunc` (or an async `func`) is used by `ainvoke`."""

    _run_type: ClassVar[str | None] = ""  # starts carry run_type=None, as in langchain-core

    def __init__(
        self,
        func: Callable[..., Any],
        afunc: Callable[..., Any] | None = None,
        name: str | None = None,
    ) -> None:
        import inspect

        if not callable(func):
            raise TypeError(f"RunnableLambda needs a callable, got {type(func).__name__}: {func!r}")
        if afunc is None and _is_async(func):
            self.func: Callable[..., Any] | None = None
            self.afunc: Callable[..., Any] | None = func
        else:
            self.func, self.afunc = func, afunc
        self.name = name or _func_name(func) or (afunc and _func_name(afunc)) or None
        self._wants = accepted_kwargs(func)
        self._awants = accepted_kwargs(afunc) if afunc is not None else self._wants
        # A generator function's chunks are streamed, and added up by invoke (langchain-core).
        self._gen = inspect.isgeneratorfunction(self.func)
        self._agen = inspect.isasyncgenfunction(self.afunc)
        self._plain = self.func is not None and not self._wants and not self._gen  # the fast path
        self._repr: str | None = None

    def get_name(self, suffix: str | None = None, *, name: str | None = None) -> str:
        return super().get_name(suffix, name=name or self.name or "RunnableLambda")

    # Schemas, as langchain-core infers them: annotations, an itemgetter's keys, the keys the
    # function's source reads from its input.

    @property
    def InputType(self) -> Any:
        return _introspect().first_param_annotation(self.func or self.afunc)

    @property
    def OutputType(self) -> Any:
        return _introspect().return_annotation(self.func or self.afunc)

    def get_input_schema(self, config: RunnableConfig | None = None) -> Any:
        import operator

        func = self.func or self.afunc
        if isinstance(func, operator.itemgetter):
            return _introspect().itemgetter_schema(self.get_name("Input"), func)
        if self.InputType is Any and (keys := _introspect().dict_keys_read(func)):
            return schema.create_model(self.get_name("Input"), fields=dict.fromkeys(keys, (Any, ...)))
        return self._function_schema(self.InputType, "Input")

    def get_output_schema(self, config: RunnableConfig | None = None) -> Any:
        return self._function_schema(self.OutputType, "Output")

    @functools.cached_property
    def deps(self) -> list[Runnable[Any, Any]]:
        """The runnables the function uses from its globals or closure (drawn by `get_graph`)."""
        used: list[Runnable[Any, Any]] = _introspect().runnables_used(self.func or self.afunc)
        return used

    def _function_schema(self, root: Any, suffix: str) -> Any:
        if schema.is_pydantic_model(root):
            return root
        module = getattr(self.func or self.afunc, "__module__", None)  # resolves string annotations
        return schema.create_model(self.get_name(suffix), root=root, module=module)

    def _extra(self, wants: frozenset[str], config: RunnableConfig | None, run: Any) -> dict[str, Any]:
        extra: dict[str, Any] = {}
        if "config" in wants:
            extra["config"] = config_for_function(config, run)
        if "run_manager" in wants:
            extra["run_manager"] = run
        return extra

    def _call(self, input: Any, config: RunnableConfig | None, run: Any, kwargs: dict[str, Any]) -> Any:
        """`func(input, **bound kwargs, **what it asks for)`: its output as returned."""
        func = self.func
        if func is None:
            raise TypeError(
                "Cannot invoke a coroutine function synchronously.Use `ainvoke` instead. "
                f"({self.get_name()} wraps an async function: use `await runnable.ainvoke(...)` or "
                "`astream`, or pass a sync function too: RunnableLambda(func, afunc).)"
            )
        if self._wants:
            return func(input, **kwargs, **self._extra(self._wants, config, run))
        return func(input, **kwargs) if kwargs else func(input)

    def _invoke(self, input: Any, config: RunnableConfig | None, run: Any, **kwargs: Any) -> Any:
        if self._plain and not kwargs and not config:  # the common no-handler step: nothing to add
            output = self.func(input)  # type: ignore[misc]
        elif config and run is None:  # no run carries the config: make it ambient for ensure_config()
            token = ambient_config.set(cast(dict[str, Any], config))
            try:
                output = self._call_output(input, config, run, kwargs)
            finally:
                ambient_config.reset(token)
        else:
            output = self._call_output(input, config, run, kwargs)
        if isinstance(output, Runnable):
            return output.invoke(input, _recursion_config(config, run, self, input))
        return output

    def _call_output(
        self, input: Any, config: RunnableConfig | None, run: Any, kwargs: dict[str, Any]
    ) -> Any:
        output = self._call(input, config, run, kwargs)
        return fold_chunks(output) if self._gen else output

    async def _acall(
        self, input: Any, config: RunnableConfig | None, run: Any, kwargs: dict[str, Any]
    ) -> Any:
        if self.afunc is not None:
            return self.afunc(input, **kwargs, **self._extra(self._awants, config, run))
        # A sync function may block: run it in a thread (with this context) off the loop.
        sync_run = run.get_sync() if run is not None else None
        if self._gen:
            return await run_in_executor(None, self._call_folded, input, config, sync_run, kwargs)
        return await run_in_executor(None, self._call, input, config, sync_run, kwargs)

    def _call_folded(
        self, input: Any, config: RunnableConfig | None, run: Any, kwargs: dict[str, Any]
    ) -> Any:
        return fold_chunks(self._call(input, config, run, kwargs))

    async def _ainvoke(self, input: Any, config: RunnableConfig | None, run: Any, **kwargs: Any) -> Any:
        if config and run is None:  # no run carries the config: make it ambient for ensure_config()
            token = ambient_config.set(cast(dict[str, Any], config))
            try:
                return await self._ainvoke_body(input, config, run, kwargs)
            finally:
                ambient_config.reset(token)
        return await self._ainvoke_body(input, config, run, kwargs)

    async def _ainvoke_body(
        self, input: Any, config: RunnableConfig | None, run: Any, kwargs: dict[str, Any]
    ) -> Any:
        output = await self._acall(input, config, run, kwargs)
        if self.afunc is not None:
            output = await _afold(output) if self._agen else await output
        if isinstance(output, Runnable):
            return await output.ainvoke(input, _recursion_config(config, run, self, input))
        return output

    # Streaming: the input is added up first (so the run starts with the real input); a function
    # that returns a runnable has it streamed, a generator function has its chunks streamed.

    def transform(
        self, input: Iterator[Any], config: RunnableConfig | None = None, **kwargs: Any
    ) -> Iterator[Any]:
        return stream_run(self, input, config, None, kwargs, gather=True)

    def atransform(
        self, input: AsyncIterator[Any], config: RunnableConfig | None = None, **kwargs: Any
    ) -> AsyncIterator[Any]:
        return astream_run(self, input, config, None, kwargs, gather=True)

    def _transform(
        self, chunks: Iterator[Any], config: RunnableConfig | None, run: Any, **kwargs: Any
    ) -> Any:
        input = add_chunks(list(chunks))
        if self.func is None:
            raise TypeError(
                "Cannot stream a coroutine function synchronously.Use `astream` instead. "
                f"({self.get_name()} wraps an async function: use `astream`, or pass a sync "
                "function too: RunnableLambda(func, afunc).)"
            )
        token = ambient_config.set(cast(dict[str, Any], config)) if config and run is None else None
        try:
            output = self._call(input, config, run, kwargs)
        finally:
            if token is not None:
                ambient_config.reset(token)
        if self._gen:
            yield from output
        elif isinstance(output, Runnable):
            yield from output.stream(input, _recursion_config(config, run, self, input))
        else:
            yield output

    async def _atransform(
        self, chunks: AsyncIterator[Any], config: RunnableConfig | None, run: Any, **kwargs: Any
    ) -> Any:
        input = add_chunks([chunk async for chunk in chunks])
        if self.afunc is None and self._gen:
            raise TypeError(
                f"{self.get_name()} wraps a sync generator function, which cannot stream "
                "asynchronously. Use .stream() instead, or pass an async generator as afunc."
            )
        token = ambient_config.set(cast(dict[str, Any], config)) if config and run is None else None
        try:
            output = await self._acall(input, config, run, kwargs)
            if self.afunc is not None and not self._agen:
                output = await output
        finally:
            if token is not None:
                ambient_config.reset(token)
        inner = output if self._agen else None
        if inner is None and isinstance(output, Runnable):
            inner = output.astream(input, _recursion_config(config, run, self, input))
        if inner is None:
            yield output
            return
        try:
            async for chunk in inner:
                yield chunk
        except BaseException as exc:  # reach the inner stream now: async for has no `yield from`
            await aclose_upstream(inner, exc)
            raise

    # Equal when they wrap the same function, and so unhashable, as in langchain-core.
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RunnableLambda):
            return False
        if self.func is not None and other.func is not None:
            return self.func == other.func
        if self.afunc is not None and other.afunc is not None:
            return self.afunc == other.afunc
        return False

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        # langchain-core's form: the lambda's source (or the function's name), read once.
        if self._repr is None:
            if isinstance(self.func, operator.itemgetter):
                self._repr = f"RunnableLambda({str(self.func)[len('operator.') :]})"
            elif self.func is not None:
                self._repr = f"RunnableLambda({_lambda_source(self.func) or '...'})"
            else:
                self._repr = f"RunnableLambda(afunc={_lambda_source(self.afunc) or '...'})"
        return self._repr


class RunnableGenerator(Runnable[Input, Output]):
    """A generator function over input chunks (`transform`) as a runnable; invoke adds up its output."""

    _run_type: ClassVar[str | None] = ""  # starts carry run_type=None, as in langchain-core

    def __init__(
        self,
        transform: Callable[[Iterator[Any]], Iterator[Any]]
        | Callable[[AsyncIterator[Any]], AsyncIterator[Any]],
        atransform: Callable[[AsyncIterator[Any]], AsyncIterator[Any]] | None = None,
        *,
        name: str | None = None,
    ) -> None:
        import inspect

        if inspect.isasyncgenfunction(transform):
            self._gen: Any = None
            self._agen: Any = transform
        else:
            self._gen, self._agen = transform, atransform
        self.name = name or _func_name(transform) or "RunnableGenerator"
        self._wants = accepted_kwargs(transform)

    @property
    def InputType(self) -> Any:
        annotation = _introspect().first_param_annotation(self._gen or self._agen)
        return (get_args(annotation) or (Any,))[0]

    @property
    def OutputType(self) -> Any:
        annotation = _introspect().return_annotation(self._gen or self._agen, unwrap_iterators=False)
        return (get_args(annotation) or (Any,))[0]

    def _extra(self, config: RunnableConfig | None, run: Any) -> dict[str, Any]:
        return {"config": config_for_function(config, run)} if "config" in self._wants else {}

    def _transform(
        self, chunks: Iterator[Any], config: RunnableConfig | None, run: Any, **kwargs: Any
    ) -> Any:
        if self._gen is None:
            raise NotImplementedError(
                f"{self!r} only supports async methods. ({self.get_name()} is an async generator: "
                "use `ainvoke`/`astream`.)"
            )
        output = self._gen(chunks, **self._extra(config, run))
        yield from _ambient(output, config) if config and run is None else output

    async def _atransform(
        self, chunks: AsyncIterator[Any], config: RunnableConfig | None, run: Any, **kwargs: Any
    ) -> Any:
        if self._agen is None:
            # A sync generator over an async stream: feed it the gathered input.
            gathered = [chunk async for chunk in chunks]
            for chunk in self._transform(iter(gathered), config, run):
                yield chunk
            return
        inner = self._agen(chunks, **self._extra(config, run))
        if config and run is None:
            inner = _aambient(inner, config)
        try:
            async for chunk in inner:
                yield chunk
        except BaseException as exc:  # reach the inner stream now: async for has no `yield from`
            await aclose_upstream(inner, exc)
            raise

    def _invoke(self, input: Any, config: RunnableConfig | None, run: Any, **kwargs: Any) -> Any:
        return add_chunks(list(self._transform(iter((input,)), config, run)))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RunnableGenerator):
            return False
        if self._gen is not None and other._gen is not None:
            return bool(self._gen == other._gen)
        if self._agen is not None and other._agen is not None:
            return bool(self._agen == other._agen)
        return False

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"RunnableGenerator({self.name})"

    async def _ainvoke(self, input: Any, config: RunnableConfig | None, run: Any, **kwargs: Any) -> Any:
        return add_chunks([chunk async for chunk in self._atransform(aiter_of(input), config, run)])


# No run carries the config of a generator nobody listens to: make it ambient while the generator
# runs (each step, not across the yields), so `ensure_config()` inside sees it as in langchain-core.


def _ambient(chunks: Iterator[Any], config: RunnableConfig) -> Iterator[Any]:
    try:
        while True:
            token = ambient_config.set(cast(dict[str, Any], config))
            try:
                chunk = next(chunks)
            except StopIteration:
                return
            finally:
                ambient_config.reset(token)
            yield chunk
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()


async def _aambient(chunks: AsyncIterator[Any], config: RunnableConfig) -> AsyncIterator[Any]:
    try:
        while True:
            token = ambient_config.set(cast(dict[str, Any], config))
            try:
                chunk = await anext(chunks)
            except StopAsyncIteration:
                return
            finally:
                ambient_config.reset(token)
            yield chunk
    finally:
        aclose = getattr(chunks, "aclose", None)
        if aclose is not None:
            await aclose()


def chain(func: Callable[..., Any]) -> RunnableLambda[Any, Any]:
    """Decorator: make `func` a runnable (its name becomes the run name)."""
    return RunnableLambda(func)
