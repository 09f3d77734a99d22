"""What a tool function's signature and docstring say, and how one call's input is validated.

Pure inspection, done once per tool: which parameters are injected at call time
(`Annotated[T, InjectedToolArg]`), which one takes the `RunnableConfig`, what a Google-style
docstring says about each argument. No pydantic here: a tool without an `args_schema` never
loads it, and one with a pydantic schema has it loaded already.
Not here: building pydantic models (`schema`).
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, get_args, get_origin

from runwire.tools.injected import InjectedToolArg, InjectedToolCallId

FILTERED_ARGS = ("run_manager", "callbacks")
"""Parameters a tool function may take that the runtime supplies (never in a schema)."""

SYNTHETIC_FIELDS = frozenset({"args", "kwargs", "v__duplicate_kwargs"})
SYNTHETIC_VARIADIC = ("args", "kwargs")


def parse_google_docstring(
    docstring: str | None, args: Sequence[str], *, error_on_invalid_docstring: bool = False
) -> tuple[str, dict[str, str]]:
    """(description, {arg: description}) from a Google-style docstring, read as langchain-core
    reads it: the blocks before `Args:` (and before `Returns:`/`Example:`) joined by spaces, then
    one entry per `name: text` (or `name (type): text`) line of the `Args:` block."""
    if docstring:
        blocks = docstring.split("\n\n")
        if error_on_invalid_docstring:
            named = {a for a in args if a not in {"run_manager", "callbacks", "runtime", "return"}}
            if named and (len(blocks) < 2 or not any(b.startswith("Args:") for b in blocks[1:])):
                raise ValueError(
                    "Found invalid Google-Style docstring: the function has arguments "
                    f"{sorted(named)} but no 'Args:' block after its description. Add one, or pass "
                    "error_on_invalid_docstring=False."
                )
        descriptors: list[str] = []
        args_block = None
        past = False
        for block in blocks:
            if block.startswith("Args:"):
                args_block = block
                break
            if block.startswith(("Returns:", "Example:")):
                past = True
            elif not past:
                descriptors.append(block)
        description = " ".join(descriptors).strip()
    else:
        if error_on_invalid_docstring:
            raise ValueError(
                "Found invalid Google-Style docstring: the function has none. Add a docstring with an "
                "'Args:' block, or pass error_on_invalid_docstring=False."
            )
        description, args_block = "", None
    return description, _arg_descriptions(args_block)


def _arg_descriptions(args_block: str | None) -> dict[str, str]:
    described: dict[str, str] = {}
    if not args_block:
        return described
    arg: str | None = None
    indent: int | None = None
    for line in args_block.split("\n")[1:]:
        if not line.strip():
            continue
        current = len(line) - len(line.lstrip())
        if indent is None and ":" in line:
            indent = current
        if arg is not None and indent is not None and current > indent:
            described[arg] += " " + line.strip()
        elif ":" in line:
            name, text = line.split(":", maxsplit=1)
            name = name.strip()
            bare, _, kind = name.partition(" ")
            if kind.startswith("(") and kind.endswith(")"):
                name = bare
            arg = name
            described[arg] = text.strip()
        elif arg:
            described[arg] += " " + line.strip()
    return described


# ---------------------------------------------------------------------------------------------
# Annotations


def annotated_extras(annotation: Any) -> tuple[Any, ...]:
    """The metadata of `Annotated[T, *extras]` (empty for anything else)."""
    if get_origin(annotation) is Annotated:
        return get_args(annotation)[1:]
    return ()


def _is_marker(item: Any, kind: type) -> bool:
    """`item` is the marker `kind` (the class, an instance or a subclass). langchain-core's own
    markers count too, matched by name, so tools written against it keep their injected args."""
    klass = item if isinstance(item, type) else type(item)
    return any(
        base is kind or (base.__name__ == kind.__name__ and base.__module__.startswith("langchain"))
        for base in klass.__mro__
    )


def injected_kind(annotation: Any) -> type | None:
    """`InjectedToolCallId`, `InjectedToolArg`, or None for an argument the model supplies."""
    for item in annotated_extras(annotation):
        if _is_marker(item, InjectedToolCallId):
            return InjectedToolCallId
        if _is_marker(item, InjectedToolArg):
            return InjectedToolArg
    return None


def is_runnable_config(annotation: Any) -> bool:
    """`annotation` is `RunnableConfig` (runwire's or langchain-core's), possibly Optional."""
    if get_origin(annotation) in (typing.Union, types.UnionType):
        return any(is_runnable_config(a) for a in get_args(annotation) if a is not type(None))
    return getattr(annotation, "__name__", None) == "RunnableConfig" or annotation == "RunnableConfig"


def type_hints(func: Callable[..., Any]) -> dict[str, Any]:
    """`func`'s resolved type hints with `Annotated` extras (its raw annotations when a forward
    reference cannot be resolved)."""
    try:
        return typing.get_type_hints(func, include_extras=True)
    except Exception:  # an unresolvable forward reference: keep what is there
        return dict(getattr(func, "__annotations__", None) or {})


def config_param(func: Callable[..., Any] | None) -> str | None:
    """The name of `func`'s parameter annotated `RunnableConfig`, if any (it receives the config)."""
    if func is None:
        return None
    for name, annotation in type_hints(func).items():
        if name != "return" and is_runnable_config(annotation):
            return name
    return None


def signature_injected(func: Callable[..., Any] | None) -> frozenset[str]:
    """Parameters of `func` annotated as injected (supplied at call time, not by the model)."""
    if func is None:
        return frozenset()
    hints = type_hints(func)
    return frozenset(name for name, annotation in hints.items() if injected_kind(annotation) is not None)


# ---------------------------------------------------------------------------------------------
# Validating one call

_NEEDS_CALL_ID = (
    "When tool includes an InjectedToolCallId argument, tool must always be invoked with a full "
    "model ToolCall of the form: {'args': {...}, 'name': '...', 'type': 'tool_call', "
    "'tool_call_id': '...'}"
)


@dataclass(frozen=True, slots=True)
class InputPlan:
    """How a tool validates a call's arguments, decided once per `args_schema`."""

    schema: Any
    validate: Callable[[Any], Any] | None  # pydantic's validator; None without a pydantic schema
    call_id_fields: tuple[str, ...]  # InjectedToolCallId fields of the schema
    injected: frozenset[str]  # every injected name (schema fields and function parameters)
    hidden: frozenset[str]  # what callback `inputs` leave out: injected + FILTERED_ARGS
    first_field: str | None  # where a plain string input is checked
    no_fields: bool

    def parse(self, tool_input: str | dict[str, Any], tool_call_id: str | None) -> str | dict[str, Any]:
        """The validated input (a new dict); a string input is checked and returned as is."""
        validate = self.validate
        if validate is None:
            if isinstance(tool_input, str) and isinstance(self.schema, dict):
                raise ValueError(
                    "String tool inputs are not allowed when using tools with JSON schema args_schema: "
                    "pass a dict of arguments."
                )
            return tool_input
        if isinstance(tool_input, str):
            if self.first_field is not None:
                validate({self.first_field: tool_input})
            return tool_input
        if self.call_id_fields:
            if tool_call_id is None:
                raise ValueError(_NEEDS_CALL_ID)
            tool_input = {**tool_input, **dict.fromkeys(self.call_id_fields, tool_call_id)}
        result = validate(tool_input)
        if hasattr(result, "__pydantic_fields_set__"):
            values = dict(result.__dict__)
        else:  # pydantic v1: field values as validated (nested models stay models, as in v2)
            values = {name: getattr(result, name) for name in result.__fields__}
        for name in SYNTHETIC_VARIADIC:  # passed only when given, as in langchain-core
            if name not in tool_input:
                values.pop(name, None)
        for name in self.injected:
            if name in tool_input:
                values[name] = tool_input[name]
        return values

    def visible(self, tool_input: dict[str, Any]) -> dict[str, Any]:
        """`tool_input` without injected and runtime arguments (what handlers are shown)."""
        hidden = self.hidden
        return {k: v for k, v in tool_input.items() if k not in hidden}


def input_plan(schema: Any, injected_params: frozenset[str]) -> InputPlan:
    """The `InputPlan` for `schema`: a pydantic class, a JSON-schema dict, or None."""
    hidden = injected_params | frozenset(FILTERED_ARGS)
    if schema is None or isinstance(schema, dict):
        return InputPlan(
            schema=schema,
            validate=None,
            call_id_fields=(),
            injected=injected_params,
            hidden=hidden,
            first_field=None,
            no_fields=False,
        )
    from runwire.tools.schema import field_annotations, model_fields

    kinds = {name: injected_kind(annotation) for name, annotation in field_annotations(schema).items()}
    fields = model_fields(schema)
    validator = getattr(schema, "__pydantic_validator__", None)
    validate = validator.validate_python if validator is not None else schema.parse_obj
    injected = injected_params | {name for name, kind in kinds.items() if kind is not None}
    return InputPlan(
        schema,
        validate,
        tuple(name for name, kind in kinds.items() if kind is InjectedToolCallId),
        injected,
        injected | frozenset(FILTERED_ARGS),
        next((f for f in fields if f not in SYNTHETIC_FIELDS), None),
        not fields,
    )


def is_validation_error(exc: BaseException) -> bool:
    """A pydantic `ValidationError` (v2 or v1), recognised without importing pydantic."""
    klass = type(exc)
    return any(
        k.__name__ == "ValidationError" and k.__module__.startswith(("pydantic", "pydantic_core"))
        for k in klass.__mro__
    )
