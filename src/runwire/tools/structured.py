"""Tools backed by plain functions: `StructuredTool` (any number of typed arguments) and `Tool`
(one string argument, langchain's oldest tool shape).

What the function accepts besides its arguments (a `RunnableConfig` parameter, `callbacks`) is
read once, when the tool is built; a call passes the function exactly what it asked for. A tool
without a coroutine runs its function in a thread under `ainvoke`.
Not here: the run itself (`base`), the `@tool` decorator (`convert`).
"""

from __future__ import annotations

import textwrap
from collections.abc import Awaitable, Callable
from typing import Any, cast

from runwire.runnables.config import (
    RunnableConfig,
    child_config,
    ensure_config,
    get_callback_manager_for_config,
    run_in_executor,
)
from runwire.tools._signature import config_param, signature_injected
from runwire.tools.base import BaseTool, ToolException


class _FunctionPlan:
    """What one function wants besides its arguments: decided at construction."""

    __slots__ = ("config_name", "wants_callbacks")

    def __init__(self, func: Callable[..., Any] | None) -> None:
        code = getattr(getattr(func, "__func__", func), "__code__", None)
        names = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount] if code else ()
        self.wants_callbacks = "callbacks" in names
        self.config_name = config_param(func)

    def add_runtime(self, kwargs: dict[str, Any], config: Any, run: Any) -> dict[str, Any]:
        if self.wants_callbacks:
            # A manager even when nobody listens, as langchain-core gives (functions call it).
            kwargs["callbacks"] = (
                run.get_child()
                if run is not None
                else get_callback_manager_for_config(cast(RunnableConfig, config or {}))
            )
        if self.config_name:
            # The child config: a runnable invoked with it nests under this tool's run.
            kwargs[self.config_name] = ensure_config(child_config(config, run))
        return kwargs


class _FunctionTool(BaseTool):
    """A tool that calls `func` (or awaits `coroutine`)."""

    description: str = ""
    func: Callable[..., Any] | None = None
    coroutine: Callable[..., Awaitable[Any]] | None = None

    def model_post_init(self, context: Any, /) -> None:
        self.__dict__["_func_plan"] = _FunctionPlan(self.func)
        self.__dict__["_coro_plan"] = _FunctionPlan(self.coroutine)

    def __setattr__(self, name: str, value: Any) -> None:
        super().__setattr__(name, value)
        if name in {"func", "coroutine"}:
            self.model_post_init(None)

    def _injected_params(self) -> frozenset[str]:
        return signature_injected(self.func or self.coroutine)

    def _execute(self, args: tuple[Any, ...], kwargs: dict[str, Any], config: Any, run: Any) -> Any:
        if self.func is None:
            raise NotImplementedError(
                f"{type(self).__name__} does not support sync invocation. ({self.name!r} has only a "
                "coroutine: use `await tool.ainvoke(...)`, or pass func= too.)"
            )
        plan: _FunctionPlan = self.__dict__["_func_plan"]
        if plan.config_name or plan.wants_callbacks:
            kwargs = plan.add_runtime(kwargs, config, run)
        return self.func(*args, **kwargs)

    async def _aexecute(self, args: tuple[Any, ...], kwargs: dict[str, Any], config: Any, run: Any) -> Any:
        if self.coroutine is None:
            sync_run = run.get_sync() if run is not None else None
            return await run_in_executor(None, self._execute, args, kwargs, config, sync_run)
        plan: _FunctionPlan = self.__dict__["_coro_plan"]
        if plan.config_name or plan.wants_callbacks:
            kwargs = plan.add_runtime(kwargs, config, run)
        return await self.coroutine(*args, **kwargs)

    def _run(self, *args: Any, config: Any = None, run_manager: Any = None, **kwargs: Any) -> Any:
        """Call `func` (langchain-core's signature, for code that calls `_run` directly)."""
        return self._execute(args, kwargs, config, run_manager)

    async def _arun(self, *args: Any, config: Any = None, run_manager: Any = None, **kwargs: Any) -> Any:
        return await self._aexecute(args, kwargs, config, run_manager)


class StructuredTool(_FunctionTool):
    """A tool that calls `func` (or awaits `coroutine`) with keyword arguments."""

    @classmethod
    def from_function(  # noqa: PLR0917 - langchain-core's positional signature
        cls,
        func: Callable[..., Any] | None = None,
        coroutine: Callable[..., Awaitable[Any]] | None = None,
        name: str | None = None,
        description: str | None = None,
        return_direct: bool = False,
        args_schema: Any = None,
        infer_schema: bool = True,
        *,
        response_format: str = "content",
        parse_docstring: bool = False,
        error_on_invalid_docstring: bool = False,
        **kwargs: Any,
    ) -> StructuredTool:
        """A tool from `func` and/or `coroutine`: named after the function, described by its
        docstring (or `description`), arguments from its signature (or `args_schema`)."""
        source = func if func is not None else coroutine
        if source is None:
            raise ValueError("Function and/or coroutine must be provided: StructuredTool.from_function(f).")
        name = name or source.__name__
        if args_schema is None and infer_schema:
            from runwire.tools.schema import create_schema_from_function

            args_schema = create_schema_from_function(
                name,
                source,
                parse_docstring=parse_docstring,
                error_on_invalid_docstring=error_on_invalid_docstring,
            )
        text = description
        if description is None and not parse_docstring:
            text = source.__doc__ or None
        if text is None and args_schema is not None:
            text = _schema_description(args_schema)
        if text is None:
            raise ValueError(
                f"Function must have a docstring if description not provided: {name!r} has none. "
                "Add a docstring, or pass description='...'."
            )
        if description is None:
            text = textwrap.dedent(text).strip()
        return cls(
            name=name,
            func=func,
            coroutine=coroutine,
            args_schema=args_schema,
            description=text.strip(),
            return_direct=return_direct,
            response_format=response_format,
            **kwargs,
        )

    def __repr__(self) -> str:
        return (
            f"StructuredTool(name={self.name!r}, description={self.description!r}, "
            f"args_schema={self.args_schema!r}, func={self.func!r})"
        )


def _schema_description(args_schema: Any) -> str | None:
    if isinstance(args_schema, dict):
        found = args_schema.get("description")
        return found if isinstance(found, str) else None
    doc = getattr(args_schema, "__doc__", None)
    if doc and "A base class for creating Pydantic models" in doc:
        return ""
    return doc or None


class Tool(_FunctionTool):
    """A tool whose function takes one string (the model sees one argument, `__arg1`)."""

    def __init__(self, name: str, func: Callable[..., Any] | None, description: str, **kwargs: Any) -> None:
        super().__init__(name=name, func=func, description=description, **kwargs)

    @property
    def args(self) -> dict[str, Any]:
        if self.args_schema is not None:
            return super().args
        return {"tool_input": {"type": "string"}}

    def _to_args_and_kwargs(
        self, tool_input: str | dict[str, Any], tool_call_id: str | None
    ) -> tuple[tuple[Any, ...], dict[str, Any]]:
        args, kwargs = super()._to_args_and_kwargs(tool_input, tool_call_id)
        given = [*args, *kwargs.values()]
        if len(given) != 1:
            raise ToolException(
                f"Too many arguments to single-input tool {self.name}. Consider using StructuredTool "
                f"instead. Args: {given}"
            )
        return tuple(given), {}

    @classmethod
    def from_function(  # noqa: PLR0917 - langchain-core's positional signature
        cls,
        func: Callable[..., Any] | None,
        name: str,
        description: str,
        return_direct: bool = False,
        args_schema: Any = None,
        coroutine: Callable[..., Awaitable[Any]] | None = None,
        **kwargs: Any,
    ) -> Tool:
        """A single-string-input tool from `func` (and/or `coroutine`)."""
        if func is None and coroutine is None:
            raise ValueError("Function and/or coroutine must be provided: Tool.from_function(f, name, desc).")
        return cls(
            name=name,
            func=func,
            description=description,
            return_direct=return_direct,
            args_schema=args_schema,
            coroutine=coroutine,
            **kwargs,
        )

    def __repr__(self) -> str:
        return f"Tool(name={self.name!r}, description={self.description!r}, func={self.func!r})"
