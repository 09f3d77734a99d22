"""BaseTool: a function a model may call, run as one tool run that reports to the run's handlers.

A call is `on_tool_start(serialized={'name', 'description'}, input_str, inputs=..., tool_call_id=...)`
then exactly one `on_tool_end(output, name=tool.name)` or `on_tool_error(error, tool_call_id=...)`,
with the payloads langchain-core sends (§1.2 of the reference note). One deliberate difference,
the rule runwire follows for models too: the start's `name=` is the config's `run_name`, else
the tool's name (langchain-core sends None), so handlers always get a usable name.

Invoked with a ToolCall dict (`{"type": "tool_call", "name", "args", "id"}`) a tool returns a
`ToolMessage` answering that call; with a plain dict or string it returns what the function
returned. Arguments are validated by `args_schema` (pydantic, loaded only when a schema is
built). A `ToolException` (with `handle_tool_error`) or a validation error (with
`handle_validation_error`) becomes the tool's output with `status="error"`; anything else is
raised to the caller after `on_tool_error`. The tool run is current while the body runs, so a
model called inside it is its child and hears runtime handlers, never the tool's constructor ones.
Not here: building tools from functions (`structured`, `convert`), argument schemas (`schema`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar, Literal

from runwire._fields import Fields
from runwire.callbacks.context import enter_run, exit_run
from runwire.callbacks.manager import (
    AsyncCallbackManagerForToolRun,
    CallbackManagerForToolRun,
    open_run,
)
from runwire.messages import ToolCall
from runwire.runnables.base import Runnable
from runwire.runnables.config import (
    RunnableConfig,
    ambient_config,
    child_config,
    ensure_config,
    run_in_executor,
)
from runwire.tools._signature import (
    FILTERED_ARGS,
    InputPlan,
    config_param,
    input_plan,
    is_validation_error,
    signature_injected,
)
from runwire.tools.errors import SchemaAnnotationError, ToolException, check_args_schema_annotation
from runwire.tools.injected import InjectedToolArg, InjectedToolCallId
from runwire.tools.output import (
    TOOL_MESSAGE_BLOCK_TYPES,
    format_output,
    handle_tool_error,
    handle_validation_error,
)

_UNHANDLED: Any = object()
_SCHEMA_INPUTS = frozenset({"name", "description", "args_schema"})


ArgsSchema = Any
"""A pydantic model class or a JSON-schema dict."""


def _accepts(func: Callable[..., Any]) -> tuple[bool, str | None]:
    """(takes `run_manager`, name of its `RunnableConfig` parameter) for a `_run`/`_arun`."""
    code = getattr(getattr(func, "__func__", func), "__code__", None)
    names = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount] if code else ()
    return "run_manager" in names, config_param(func)


class BaseTool(Fields, Runnable[Any, Any]):
    """Base of tools. Implement `_run(*args, **kwargs)` (and `_arun` for native async I/O)."""

    name: str
    description: str = ""
    args_schema: Any = None
    return_direct: bool = False
    verbose: bool = False
    callbacks: Any = None
    tags: list[str] | None = None
    metadata: dict[str, Any] | None = None
    handle_tool_error: Any = False
    handle_validation_error: Any = False
    response_format: str = "content"
    extras: dict[str, Any] | None = None

    _run_accepts: ClassVar[tuple[bool, str | None]] = (False, None)
    _arun_accepts: ClassVar[tuple[bool, str | None] | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        check_args_schema_annotation(cls)
        # What `_run`/`_arun` accept is read once per class, not per call.
        cls._run_accepts = _accepts(cls._run)
        cls._arun_accepts = _accepts(cls._arun) if cls._arun is not BaseTool._arun else None

    def __init__(self, **kwargs: Any) -> None:
        schema = kwargs.get("args_schema")
        if schema is not None and not isinstance(schema, dict) and not _is_model_class(schema):
            raise TypeError(
                "args_schema must be a subclass of pydantic BaseModel or a JSON schema dict. "
                f"Got: {schema!r}."
            )
        Fields.__init__(self, **kwargs)

    def model_copy(self, *, update: dict[str, Any] | None = None, deep: bool = False) -> Any:
        """A copy of this tool with `update` applied (as pydantic's `model_copy`)."""
        import copy

        clone = copy.deepcopy(self) if deep else copy.copy(self)
        clone.__dict__ = dict(clone.__dict__)
        for name, value in (update or {}).items():
            setattr(clone, name, value)
        return clone

    def __setattr__(self, name: str, value: Any) -> None:
        object.__setattr__(self, name, value)
        if name in _SCHEMA_INPUTS:
            for cached in ("_call_schema", "_input_schema", "_serialized_cache"):
                self.__dict__.pop(cached, None)  # rebuilt from the new values on next use

    # -- schemas ---------------------------------------------------------------------------------

    def _plan(self) -> InputPlan:
        """How this tool validates input (rebuilt only when `args_schema` is replaced)."""
        plan: InputPlan | None = self.__dict__.get("_input_plan")
        if plan is None or plan.schema is not self.args_schema:
            plan = input_plan(self.args_schema, self._injected_params())
            self.__dict__["_input_plan"] = plan
        return plan

    def _injected_params(self) -> frozenset[str]:
        found = signature_injected(self._run)
        return found or signature_injected(self._arun)

    def get_input_schema(self, config: RunnableConfig | None = None) -> Any:
        """The pydantic model validating this tool's input (built from `_run` when not given)."""
        if self.args_schema is not None and not isinstance(self.args_schema, dict):
            return self.args_schema
        schema = self.__dict__.get("_input_schema")
        if schema is None:
            from runwire.tools.schema import create_schema_from_function

            schema = create_schema_from_function(self.name, self._run)
            self.__dict__["_input_schema"] = schema
        return schema

    @property
    def tool_call_schema(self) -> Any:
        """The schema a model is shown: the input schema without injected arguments (cached)."""
        if isinstance(self.args_schema, dict):
            if self.description:
                return {**self.args_schema, "description": self.description}
            return self.args_schema
        schema = self.__dict__.get("_call_schema")
        if schema is None:
            from runwire.tools._signature import injected_kind
            from runwire.tools.schema import field_annotations, model_fields, subset_model

            full = self.get_input_schema()
            annotations = field_annotations(full)
            keep = [name for name in model_fields(full) if injected_kind(annotations.get(name)) is None]
            schema = subset_model(self.name, full, keep, description=self.description)
            self.__dict__["_call_schema"] = schema
        return schema

    @property
    def args(self) -> dict[str, Any]:
        """The JSON-schema properties of the arguments the model supplies."""
        if isinstance(self.args_schema, dict):
            return dict(self.args_schema.get("properties", {}))
        from runwire.tools.schema import json_schema

        return dict(json_schema(self.tool_call_schema).get("properties", {}))

    @property
    def is_single_input(self) -> bool:
        """Whether the tool takes exactly one argument."""
        return len([k for k in self.args if k != "kwargs"]) == 1

    # -- what a subclass implements ----------------------------------------------------------------

    def _run(self, *args: Any, **kwargs: Any) -> Any:
        # The docstring is langchain-core's word for word: a subclass's `_run` without one
        # inherits it as its input schema's description, in both libraries.
        """Use the tool.

        Add `run_manager: CallbackManagerForToolRun | None = None` to child
        implementations to enable tracing.

        Returns:
            The result of the tool execution.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement `_run` (or `_arun` for async only)")

    async def _arun(self, *args: Any, **kwargs: Any) -> Any:
        # A sync `_run` may block: it runs in a thread (with this context), off the event loop.
        run_manager = kwargs.get("run_manager")
        if run_manager is not None:
            kwargs["run_manager"] = run_manager.get_sync()
        return await run_in_executor(None, self._run, *args, **kwargs)

    # -- invoke / ainvoke / run / arun ----------------------------------------------------------------

    def invoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Any:
        """Run the tool on a dict of arguments, a string, or a ToolCall (then a ToolMessage comes back)."""
        if input.__class__ is dict and input.get("type") == "tool_call":
            return self._call(*_tool_call_parts(input, self.name), config, kwargs)
        return self._call(input, None, config, kwargs)

    async def ainvoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Any:
        """Async `invoke`."""
        if input.__class__ is dict and input.get("type") == "tool_call":
            return await self._acall(*_tool_call_parts(input, self.name), config, kwargs)
        return await self._acall(input, None, config, kwargs)

    def run(
        self,
        tool_input: str | dict[str, Any],
        verbose: bool | None = None,
        start_color: str | None = "green",
        color: str | None = "green",
        callbacks: Any = None,
        *,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        run_name: str | None = None,
        run_id: Any = None,
        config: RunnableConfig | None = None,
        tool_call_id: str | None = None,
        **kwargs: Any,
    ) -> Any:
        """langchain-core's older entry point: `invoke` with the config given piece by piece."""
        merged = _config_of(
            config,
            callbacks=callbacks,
            tags=tags,
            metadata=metadata,
            run_name=run_name,
            run_id=run_id,
            verbose=verbose,
        )
        return self._call(tool_input, tool_call_id, merged, kwargs)

    async def arun(
        self,
        tool_input: str | dict[str, Any],
        verbose: bool | None = None,
        start_color: str | None = "green",
        color: str | None = "green",
        callbacks: Any = None,
        *,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        run_name: str | None = None,
        run_id: Any = None,
        config: RunnableConfig | None = None,
        tool_call_id: str | None = None,
        **kwargs: Any,
    ) -> Any:
        """Async `run`."""
        merged = _config_of(
            config,
            callbacks=callbacks,
            tags=tags,
            metadata=metadata,
            run_name=run_name,
            run_id=run_id,
            verbose=verbose,
        )
        return await self._acall(tool_input, tool_call_id, merged, kwargs)

    # -- the run -------------------------------------------------------------------------------------

    def _own_callbacks(self) -> Any:
        if self.verbose:
            from runwire.callbacks.stdout import StdOutCallbackHandler

            return [*(self.callbacks or ()), StdOutCallbackHandler()]
        return self.callbacks

    def _start_payload(
        self, tool_input: Any, tool_call_id: str | None, config: Any, extra: dict[str, Any]
    ) -> tuple[tuple[Any, ...], str, dict[str, Any]]:
        """(args, name, keywords) of `on_tool_start`; built only when a handler listens."""
        visible = self._plan().visible(tool_input) if isinstance(tool_input, dict) else None
        input_str = tool_input if isinstance(tool_input, str) else str(visible)
        name = (config and config.get("run_name")) or self.name
        keywords = {"color": "green", "inputs": visible, "tool_call_id": tool_call_id, **extra}
        return ({"name": self.name, "description": self.description}, input_str), name, keywords

    def _call(self, tool_input: Any, tool_call_id: str | None, config: Any, extra: dict[str, Any]) -> Any:
        run = open_run(CallbackManagerForToolRun, config, self._own_callbacks(), self.tags, self.metadata)
        if run is None:
            if not config:
                return self._body(tool_input, tool_call_id, config, None)
            token = ambient_config.set(config)  # what ensure_config() in the tool reads
            try:
                return self._body(tool_input, tool_call_id, config, None)
            finally:
                ambient_config.reset(token)
        if "on_tool_start" in run._dispatch.table:
            args, name, keywords = self._start_payload(tool_input, tool_call_id, config, extra)
            run.fire_start("on_tool_start", args, name, keywords)
        token = enter_run(run)
        try:
            output = self._body(tool_input, tool_call_id, config, run)
        except BaseException as exc:
            run.finish_error(exc, tool_call_id=tool_call_id)
            raise
        finally:
            exit_run(token)
        run.finish(output, color="green", name=self.name, **extra)
        return output

    async def _acall(
        self, tool_input: Any, tool_call_id: str | None, config: Any, extra: dict[str, Any]
    ) -> Any:
        run = open_run(
            AsyncCallbackManagerForToolRun, config, self._own_callbacks(), self.tags, self.metadata
        )
        if run is None:
            if not config:
                return await self._abody(tool_input, tool_call_id, config, None)
            token = ambient_config.set(config)  # what ensure_config() in the tool reads
            try:
                return await self._abody(tool_input, tool_call_id, config, None)
            finally:
                ambient_config.reset(token)
        if "on_tool_start" in run._dispatch.table:
            args, name, keywords = self._start_payload(tool_input, tool_call_id, config, extra)
            await run.afire_start("on_tool_start", args, name, keywords)
        token = enter_run(run)
        try:
            output = await self._abody(tool_input, tool_call_id, config, run)
        except BaseException as exc:
            await run.afinish_error(exc, tool_call_id=tool_call_id)
            raise
        finally:
            exit_run(token)
        await run.afinish(output, color="green", name=self.name, **extra)
        return output

    def _body(self, tool_input: Any, tool_call_id: str | None, config: Any, run: Any) -> Any:
        """Validate, run, and format the output; handled errors become error content."""
        try:
            args, kwargs = self._to_args_and_kwargs(tool_input, tool_call_id)
            response = self._execute(args, kwargs, config, run)
            content, artifact = self._split(response)
            status: Literal["success", "error"] = "success"
        except Exception as exc:
            content = self._handled(exc)
            if content is _UNHANDLED:
                raise
            artifact, status = None, "error"
        return format_output(content, artifact, tool_call_id, self.name, status)

    async def _abody(self, tool_input: Any, tool_call_id: str | None, config: Any, run: Any) -> Any:
        try:
            args, kwargs = self._to_args_and_kwargs(tool_input, tool_call_id)
            response = await self._aexecute(args, kwargs, config, run)
            content, artifact = self._split(response)
            status: Literal["success", "error"] = "success"
        except Exception as exc:
            content = self._handled(exc)
            if content is _UNHANDLED:
                raise
            artifact, status = None, "error"
        return format_output(content, artifact, tool_call_id, self.name, status)

    def _execute(self, args: tuple[Any, ...], kwargs: dict[str, Any], config: Any, run: Any) -> Any:
        """Call `_run` with the runtime arguments it asks for (`run_manager`, a config parameter)."""
        wants_run, config_name = self._run_accepts
        if wants_run:
            kwargs["run_manager"] = run
        if config_name:
            kwargs[config_name] = ensure_config(child_config(config, run))
        return self._run(*args, **kwargs)

    async def _aexecute(self, args: tuple[Any, ...], kwargs: dict[str, Any], config: Any, run: Any) -> Any:
        accepts = self._arun_accepts
        if accepts is None:  # no native async: `_run` in a thread, with the sync twin of the run
            wants_run, config_name = self._run_accepts
            if wants_run:
                kwargs["run_manager"] = run.get_sync() if run is not None else None
            if config_name:
                kwargs[config_name] = ensure_config(child_config(config, run))
            return await run_in_executor(None, self._run, *args, **kwargs)
        wants_run, config_name = accepts
        if wants_run:
            kwargs["run_manager"] = run
        if config_name:
            kwargs[config_name] = ensure_config(child_config(config, run))
        return await self._arun(*args, **kwargs)

    def _to_args_and_kwargs(
        self, tool_input: str | dict[str, Any], tool_call_id: str | None
    ) -> tuple[tuple[Any, ...], dict[str, Any]]:
        """Positional and keyword arguments for `_run`: a string goes positionally."""
        plan = self._plan()
        if plan.no_fields:
            return (), {}
        parsed = plan.parse(tool_input, tool_call_id)
        if isinstance(parsed, str):
            return (parsed,), {}
        if isinstance(parsed, dict):
            return (), parsed if parsed is not tool_input else dict(parsed)
        raise TypeError(
            f"tool {self.name!r} takes a dict of arguments, a string, or a ToolCall; got "
            f"{type(tool_input).__name__}: {tool_input!r:.100}"
        )

    def _split(self, response: Any) -> tuple[Any, Any]:
        if self.response_format != "content_and_artifact":
            return response, None
        if isinstance(response, tuple) and len(response) == 2:
            return response
        raise ValueError(
            "Since response_format='content_and_artifact' a two-tuple of the message content and raw "
            f"tool output is expected. Instead, generated response is of type: {type(response)}."
        )

    def _handled(self, exc: Exception) -> Any:
        """The output for an error the tool is set to handle, else `_UNHANDLED`."""
        if isinstance(exc, ToolException) and self.handle_tool_error:
            return handle_tool_error(exc, self.handle_tool_error)
        if self.handle_validation_error and is_validation_error(exc):
            return handle_validation_error(exc, self.handle_validation_error)
        return _UNHANDLED

    def __repr__(self) -> str:
        return Fields.__repr__(self)


def _is_model_class(obj: Any) -> bool:
    # Checked without importing pydantic: a pydantic class has a validator (v2) or __fields__ (v1).
    return isinstance(obj, type) and (
        hasattr(obj, "__pydantic_validator__") or "__fields__" in getattr(obj, "__dict__", {})
    )


def _config_of(
    config: RunnableConfig | None,
    *,
    callbacks: Any,
    tags: Sequence[str] | None,
    metadata: dict[str, Any] | None,
    run_name: str | None,
    run_id: Any,
    verbose: bool | None,
) -> dict[str, Any] | None:
    """`run()`'s pieces folded into one config (the pieces win over `config`)."""
    if not (callbacks or tags or metadata or run_name or run_id or verbose):
        return dict(config) if config else None
    out: dict[str, Any] = dict(config or {})
    if callbacks is not None:
        out["callbacks"] = callbacks
    if tags:
        out["tags"] = [*out.get("tags", ()), *tags]
    if metadata:
        out["metadata"] = {**out.get("metadata", {}), **metadata}
    if run_name:
        out["run_name"] = run_name
    if run_id:
        out["run_id"] = run_id
    if verbose:
        from runwire.callbacks.stdout import StdOutCallbackHandler

        out["callbacks"] = [*(out.get("callbacks") or ()), StdOutCallbackHandler()]
    return out


def _tool_call_parts(call: dict[str, Any], name: str) -> tuple[dict[str, Any], Any]:
    """(args, id) of a ToolCall dict; a missing part is a KeyError (as in langchain-core), args
    that are not a dict a ValueError, each saying what to pass."""
    fix = "Pass {'type': 'tool_call', 'name': ..., 'args': {...}, 'id': ...}, or the args dict alone."
    for key in ("id", "args"):
        if key not in call:
            raise KeyError(f"tool {name!r} got a tool call without {key!r}: {call!r:.200}. {fix}")
    args = call["args"]
    if not isinstance(args, dict):
        raise ValueError(  # noqa: TRY004 - the ValueError langchain-core's validation raises
            f"tool {name!r} got a tool call whose 'args' is not a dict: {call!r:.200}. {fix}"
        )
    return dict(args), call["id"]


def is_tool_call(value: Any) -> bool:
    """Whether `value` is a ToolCall dict (`{"type": "tool_call", ...}`)."""
    return isinstance(value, dict) and value.get("type") == "tool_call"


class BaseToolkit:
    """A group of related tools; implement `get_tools`."""

    def get_tools(self) -> list[BaseTool]:
        raise NotImplementedError(f"{type(self).__name__} must implement `get_tools`")


def create_schema_from_function(model_name: str, func: Callable[..., Any], **kwargs: Any) -> Any:
    """A pydantic model of `func`'s arguments (see `runwire.tools.schema`; imports pydantic)."""
    from runwire.tools.schema import create_schema_from_function as create

    return create(model_name, func, **kwargs)


__all__ = [
    "FILTERED_ARGS",
    "TOOL_MESSAGE_BLOCK_TYPES",
    "ArgsSchema",
    "BaseTool",
    "BaseToolkit",
    "InjectedToolArg",
    "InjectedToolCallId",
    "SchemaAnnotationError",
    "ToolCall",
    "ToolException",
    "create_schema_from_function",
    "format_output",
    "is_tool_call",
]


from runwire._not_yet import install_methods as _install_methods  # noqa: E402 - needs the class

_install_methods(BaseTool, "BaseTool")  # langchain-core methods not here yet explain so
