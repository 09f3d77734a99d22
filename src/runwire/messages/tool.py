"""Tool calls (the dicts a model emits) and tool messages (the results sent back).

`ToolCall`, `ToolCallChunk` and `InvalidToolCall` are TypedDicts, as in langchain-core;
the `tool_call` / `tool_call_chunk` / `invalid_tool_call` helpers build them with the
key order langchain prints. Parsing OpenAI-style raw tool calls is here too.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar, Literal, NotRequired, TypedDict

from runwire.messages._merge import merge_dicts, merge_obj
from runwire.messages._record import REQUIRED, FieldSpec, ValidationError, required
from runwire.messages.base import (
    BaseMessage,
    BaseMessageChunk,
    Content,
    init_message,
    merge_content,
    message_fields,
)


class ToolCall(TypedDict):
    """A model's request to call a tool: `{"name": ..., "args": {...}, "id": ...}`."""

    name: str
    args: dict[str, Any]
    id: str | None
    type: NotRequired[Literal["tool_call"]]


class ToolCallChunk(TypedDict):
    """A streamed piece of a tool call; pieces with the same `index` concatenate."""

    name: str | None
    args: str | None
    id: str | None
    index: int | None
    type: NotRequired[Literal["tool_call_chunk"]]


class InvalidToolCall(TypedDict):
    """A tool call whose arguments could not be parsed; `args` stays the raw string."""

    type: Literal["invalid_tool_call"]
    id: str | None
    name: str | None
    args: str | None
    error: str | None
    index: NotRequired[int | str]
    extras: NotRequired[dict[str, Any]]


def tool_call(*, name: str, args: dict[str, Any], id: str | None) -> ToolCall:
    """Build a `ToolCall`."""
    return {"name": name, "args": args, "id": id, "type": "tool_call"}


def tool_call_chunk(
    *, name: str | None = None, args: str | None = None, id: str | None = None, index: int | None = None
) -> ToolCallChunk:
    """Build a `ToolCallChunk`."""
    return {"name": name, "args": args, "id": id, "index": index, "type": "tool_call_chunk"}


def invalid_tool_call(
    *, name: str | None = None, args: str | None = None, id: str | None = None, error: str | None = None
) -> InvalidToolCall:
    """Build an `InvalidToolCall` (keys in the order langchain-core prints for derived calls)."""
    return {"name": name, "args": args, "id": id, "error": error, "type": "invalid_tool_call"}


def _keys_error(
    kind: str, given: dict[str, Any], allowed: tuple[str, ...], required: tuple[str, ...]
) -> TypeError:
    return TypeError(
        f"{kind} must be a dict with keys {list(required)} (optional: "
        f"{[k for k in allowed if k not in required]}), got {given!r:.200}."
    )


def normalize_tool_call(call: Any) -> ToolCall:
    """A user-given tool call rebuilt as langchain stores it (`extras` dropped, `type` set)."""
    if (
        not isinstance(call, dict)
        or not {"name", "args", "id"} <= call.keys()
        or not call.keys() <= {"name", "args", "id", "type", "extras"}
    ):
        raise _keys_error(
            "a tool call", call, ("name", "args", "id", "type", "extras"), ("name", "args", "id")
        )
    name, args, id_ = call["name"], call["args"], call["id"]
    if not isinstance(name, str) or not isinstance(args, dict) or not (id_ is None or isinstance(id_, str)):
        raise ValidationError(
            "a tool call needs name: str, args: dict and id: str | None, got "
            f"name={type(name).__name__}, args={type(args).__name__}, id={type(id_).__name__}."
        )
    return {"name": name, "args": dict(args), "id": id_, "type": "tool_call"}


def normalize_invalid_tool_call(call: Any) -> InvalidToolCall:
    """A user-given invalid tool call in langchain's stored key order."""
    allowed = ("name", "args", "id", "error", "type")
    if not isinstance(call, dict) or not call.keys() <= set(allowed):
        raise _keys_error("an invalid tool call", call, allowed, ())
    return {
        "type": "invalid_tool_call",
        "id": call.get("id"),
        "name": call.get("name"),
        "args": call.get("args"),
        "error": call.get("error"),
    }


def normalize_tool_call_chunk(chunk: Any) -> ToolCallChunk:
    """A user-given tool call chunk with all its keys, in langchain's order."""
    allowed = ("name", "args", "id", "index", "type")
    if not isinstance(chunk, dict) or not chunk.keys() <= set(allowed):
        raise _keys_error("a tool call chunk", chunk, allowed, ())
    return tool_call_chunk(
        name=chunk.get("name"), args=chunk.get("args"), id=chunk.get("id"), index=chunk.get("index")
    )


def default_tool_parser(raw_tool_calls: list[dict[str, Any]]) -> tuple[list[ToolCall], list[InvalidToolCall]]:
    """OpenAI-style `{"function": {"name", "arguments"}, "id"}` calls as tool calls."""
    tool_calls: list[ToolCall] = []
    invalid_tool_calls: list[InvalidToolCall] = []
    for raw in raw_tool_calls:
        if "function" not in raw:
            continue
        name = raw["function"]["name"]
        arguments = raw["function"]["arguments"]
        try:
            args = json.loads(arguments)
        except json.JSONDecodeError:
            invalid_tool_calls.append(invalid_tool_call(name=name, args=arguments, id=raw.get("id")))
        else:
            tool_calls.append(tool_call(name=name or "", args=args or {}, id=raw.get("id")))
    return tool_calls, invalid_tool_calls


def default_tool_chunk_parser(raw_tool_calls: list[dict[str, Any]]) -> list[ToolCallChunk]:
    """OpenAI-style streamed tool call deltas as tool call chunks."""
    chunks = []
    for raw in raw_tool_calls:
        function = raw.get("function")
        chunks.append(
            tool_call_chunk(
                name=None if function is None else function["name"],
                args=None if function is None else function["arguments"],
                id=raw.get("id"),
                index=raw.get("index"),
            )
        )
    return chunks


class ToolOutputMixin:
    """Marks objects a tool may return as-is instead of having them wrapped in a ToolMessage."""

    __slots__ = ()


def _coerce_tool_content(content: Any) -> Content:
    # Tool results are whatever the tool returned: anything that is not str/list becomes str.
    if isinstance(content, tuple):
        content = list(content)
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return [block if isinstance(block, (str, dict)) else str(block) for block in content]
    return str(content)


def _coerce_tool_call_id(value: Any, owner: object) -> str:
    from uuid import UUID

    if value is REQUIRED:
        raise required(owner, "tool_call_id")
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float, UUID)):
        return str(value)
    raise ValidationError(
        f"ToolMessage tool_call_id must be a str (or UUID/number), got {type(value).__name__}."
    )


class ToolMessage(BaseMessage, ToolOutputMixin):
    """The result of running a tool, answering the tool call with id `tool_call_id`.

    `artifact` holds output meant for code rather than for the model.
    """

    __slots__ = ("artifact", "status", "tool_call_id")
    type = "tool"
    tool_call_id: str
    artifact: Any
    status: Literal["success", "error"]
    _fields: ClassVar[tuple[FieldSpec, ...]] = message_fields(
        "tool",
        ("tool_call_id", REQUIRED, True),
        ("artifact", None, True),
        ("status", "success", True),
        hide_metadata=True,
    )

    def __init__(
        self,
        content: Any = None,
        content_blocks: list[Any] | None = None,
        *,
        tool_call_id: Any = REQUIRED,
        artifact: Any = None,
        status: Literal["success", "error"] = "success",
        additional_kwargs: dict[Any, Any] | None = None,
        response_metadata: dict[Any, Any] | None = None,
        type: str | None = None,
        name: str | None = None,
        id: str | None = None,
        **extra: Any,
    ) -> None:
        """Content may be any value: what is not a str or list is turned into a str."""
        if content_blocks is not None:
            content = content_blocks
        elif content.__class__ is not str:
            content = _coerce_tool_content(content)
        init_message(self, content, additional_kwargs, response_metadata, type, name, id, extra)
        self.tool_call_id = (
            tool_call_id if tool_call_id.__class__ is str else _coerce_tool_call_id(tool_call_id, self)
        )
        self.artifact = artifact
        if status not in ("success", "error"):
            raise ValidationError(f"ToolMessage status must be 'success' or 'error', got {status!r}.")
        self.status = status


class ToolMessageChunk(ToolMessage, BaseMessageChunk):
    """A streamed piece of a tool message; only chunks of one tool call concatenate."""

    __slots__ = ()
    type = "ToolMessageChunk"
    _fields: ClassVar[tuple[FieldSpec, ...]] = message_fields(
        "ToolMessageChunk",
        ("tool_call_id", REQUIRED, True),
        ("artifact", None, True),
        ("status", "success", True),
        hide_metadata=True,
    )

    def __add__(self, other: Any) -> BaseMessageChunk:
        """Concatenate content, merge artifacts; an error status wins."""
        if isinstance(other, ToolMessageChunk):
            if self.tool_call_id != other.tool_call_id:
                raise ValueError(
                    "Cannot concatenate ToolMessageChunks with different names: tool_call_id "
                    f"{self.tool_call_id!r} and {other.tool_call_id!r}."
                )
            return self.__class__(
                tool_call_id=self.tool_call_id,
                content=merge_content(self.content, other.content),
                artifact=merge_obj(self.artifact, other.artifact),
                additional_kwargs=merge_dicts(self.additional_kwargs, other.additional_kwargs),
                response_metadata=merge_dicts(self.response_metadata, other.response_metadata),
                id=self.id,
                status="error" if "error" in (self.status, other.status) else "success",
            )
        return super().__add__(other)
