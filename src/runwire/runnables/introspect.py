"""What a function says about itself: its parameter and return annotations, the keys it reads
from a dict input (from its source, as langchain-core does) and the runnables it uses.

Used by `RunnableLambda`'s schemas and graph, only when one is asked for. Not here: building
schemas (`runwire.runnables.schema`).
"""

from __future__ import annotations

import inspect
import typing
from typing import Any, get_args

from runwire.runnables.schema import create_model


def first_param_annotation(func: Any) -> Any:
    try:
        params = inspect.signature(func).parameters
    except (TypeError, ValueError):
        return Any
    first = next(iter(params.values()), None)
    if first is None or first.annotation is inspect.Parameter.empty:
        return Any
    return first.annotation


def return_annotation(func: Any, *, unwrap_iterators: bool = True) -> Any:
    import collections.abc

    try:
        annotation = inspect.signature(func).return_annotation
    except (TypeError, ValueError):
        return Any
    if annotation is inspect.Signature.empty:
        return Any
    if unwrap_iterators and typing.get_origin(annotation) in {
        collections.abc.Iterator,
        collections.abc.AsyncIterator,
    }:
        return (get_args(annotation) or (Any,))[0]
    return annotation


def runnables_used(func: Any) -> list[Any]:
    """Runnables (or bound methods of runnables) a function reads from its globals or closure."""
    from runwire.runnables.base import Runnable

    try:
        found = inspect.getclosurevars(getattr(func, "__wrapped__", func))
    except TypeError:
        return []
    out = []
    for value in (*found.globals.values(), *found.nonlocals.values()):
        if isinstance(value, Runnable):
            out.append(value)
        elif isinstance(getattr(value, "__self__", None), Runnable):
            out.append(value.__self__)
    return out


def itemgetter_schema(name: str, func: Any) -> Any:
    """`itemgetter("a", "b")` reads a dict with keys a and b; other itemgetters read a list."""
    items = str(func).replace("operator.itemgetter(", "")[:-1].split(", ")
    if all(item[0] == "'" and item[-1] == "'" and item != "''" for item in items):
        return create_model(name, fields={item[1:-1]: (Any, ...) for item in items})
    return create_model(name, root=list[Any])


def dict_keys_read(func: Any) -> list[str] | None:
    """The string keys a function reads from its first argument (`x["k"]`, `x.get("k")`),
    found in its source as langchain-core does; None when there are none or no source."""
    import ast
    import textwrap

    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    except (SyntaxError, TypeError, OSError, SystemError, IndentationError):
        return None
    keys: set[str] = set()

    def scan(arg: str, body: ast.AST) -> None:
        for node in ast.walk(body):
            if (
                isinstance(node, ast.Subscript)
                and isinstance(node.ctx, ast.Load)
                and isinstance(node.value, ast.Name)
                and node.value.id == arg
                and isinstance(node.slice, ast.Constant)
                and isinstance(node.slice.value, str)
            ):
                keys.add(node.slice.value)
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == arg
                and node.func.attr == "get"
                and len(node.args) in {1, 2}
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                keys.add(node.args[0].value)

    for node in ast.walk(tree):
        if isinstance(node, ast.Lambda | ast.FunctionDef | ast.AsyncFunctionDef) and node.args.args:
            scan(node.args.args[0].arg, node)
    return sorted(keys) if keys else None
