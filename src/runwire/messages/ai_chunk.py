"""Streamed AI message chunks, and how they add up into a whole message.

An `AIMessageChunk` derives `tool_calls` / `invalid_tool_calls` from its
`tool_call_chunks` with the partial-JSON parser, so a stream shows the calls growing;
chunks add up with langchain-core's merge rules (`add_ai_message_chunks`).
"""

from __future__ import annotations

import json
from typing import Any, ClassVar, Literal

from runwire._json import parse_partial_json
from runwire.messages._merge import merge_dicts, merge_lists
from runwire.messages._record import FACTORY, FieldSpec, ValidationError
from runwire.messages.ai import (
    AI_FIELDS,
    LC_AUTO_PREFIX,
    LC_ID_PREFIX,
    AIMessage,
    init_ai,
    raw_tool_calls,
    with_reasoning,
)
from runwire.messages.base import BaseMessageChunk, Content, merge_content, message_fields
from runwire.messages.tool import (
    InvalidToolCall,
    ToolCall,
    ToolCallChunk,
    default_tool_chunk_parser,
    invalid_tool_call,
    normalize_tool_call_chunk,
    tool_call,
    tool_call_chunk,
)
from runwire.messages.usage import UsageMetadata, add_usage


def _parse_tool_call_chunks(chunks: list[ToolCallChunk]) -> tuple[list[ToolCall], list[InvalidToolCall]]:
    """Each chunk's args through the partial-JSON parser: a dict makes a call, else invalid."""
    calls: list[ToolCall] = []
    invalid: list[InvalidToolCall] = []
    for chunk in chunks:
        try:
            args = parse_partial_json(chunk["args"]) if chunk["args"] else {}
        except Exception:  # not JSON at all (or not a string): the call is invalid
            args = None
        if isinstance(args, dict):
            calls.append(tool_call(name=chunk["name"] or "", args=args, id=chunk["id"]))
        else:
            invalid.append(invalid_tool_call(name=chunk["name"], args=chunk["args"], id=chunk["id"]))
    return calls, invalid


class AIMessageChunk(AIMessage, BaseMessageChunk):
    """A streamed piece of an AI message; `+` merges pieces into the whole."""

    __slots__ = ("_tool_call_chunks", "chunk_position")
    type = "AIMessageChunk"
    chunk_position: Literal["last"] | None
    _tool_call_chunks: list[ToolCallChunk] | None
    _fields: ClassVar[tuple[FieldSpec, ...]] = message_fields(
        "AIMessageChunk", *AI_FIELDS, ("tool_call_chunks", FACTORY, True), ("chunk_position", None, True)
    )

    def __init__(
        self,
        content: Content | None = None,
        content_blocks: list[Any] | None = None,
        *,
        tool_call_chunks: list[ToolCallChunk] | None = None,
        chunk_position: Literal["last"] | None = None,
        tool_calls: list[ToolCall] | None = None,
        invalid_tool_calls: list[InvalidToolCall] | None = None,
        usage_metadata: UsageMetadata | None = None,
        additional_kwargs: dict[Any, Any] | None = None,
        response_metadata: dict[Any, Any] | None = None,
        type: str | None = None,
        name: str | None = None,
        id: str | None = None,
        **extra: Any,
    ) -> None:
        """Given `tool_call_chunks`, the tool calls are parsed from them; given only
        `tool_calls`, chunks are made from those."""
        if content_blocks is not None:
            content = content_blocks
            if tool_calls is None:
                tool_calls = [b for b in content_blocks if b.get("type") == "tool_call"]
        if additional_kwargs and (
            raw := raw_tool_calls(additional_kwargs, tool_calls, invalid_tool_calls, tool_call_chunks)
        ):
            try:
                tool_call_chunks = default_tool_chunk_parser(raw)
            except Exception:  # best effort, as in langchain: unparseable raw calls stay raw
                tool_call_chunks = None
        if chunk_position is not None and chunk_position != "last":
            raise ValidationError(
                f"AIMessageChunk chunk_position must be 'last' or None, got {chunk_position!r}."
            )
        self.chunk_position = chunk_position
        chunks = [normalize_tool_call_chunk(c) for c in tool_call_chunks] if tool_call_chunks else None
        if chunks:
            tool_calls = invalid_tool_calls = None  # derived from the chunks below
        init_ai(
            self,
            content,
            tool_calls,
            invalid_tool_calls,
            usage_metadata,
            additional_kwargs,
            response_metadata,
            type,
            name,
            id,
            extra,
        )
        if chunks:
            self._tool_call_chunks = chunks
            calls, invalid = _parse_tool_call_chunks(chunks)
            self._tool_calls, self._invalid_tool_calls = calls or None, invalid or None
            if chunk_position == "last":
                self._finish_v1_content()
        elif self._tool_calls or self._invalid_tool_calls:
            self._tool_call_chunks = self._chunks_from_calls()
        else:
            self._tool_call_chunks = None
        if chunk_position == "last":
            self._finish_v1_server_tool_calls()

    def _chunks_from_calls(self) -> list[ToolCallChunk]:
        chunks = [
            tool_call_chunk(name=c["name"], args=json.dumps(c["args"]), id=c["id"])
            for c in self._tool_calls or ()
        ]
        chunks.extend(
            tool_call_chunk(name=c["name"], args=c["args"], id=c["id"])
            for c in self._invalid_tool_calls or ()
        )
        return chunks

    def _is_v1_list(self) -> bool:
        metadata = self._response_metadata
        return (
            metadata is not None and metadata.get("output_version") == "v1" and isinstance(self.content, list)
        )

    def _finish_v1_content(self) -> None:
        """On the last v1 chunk, tool_call_chunk blocks in content become the parsed calls."""
        if not self._is_v1_list():
            return
        by_id: dict[Any, dict[str, Any]] = {
            c.get("id"): {"type": "tool_call", "name": c["name"], "args": c["args"], "id": c.get("id")}
            for c in self.tool_calls
            if "id" in c
        }
        content: list[Any] = self.content  # type: ignore[assignment]
        for position, block in enumerate(content):
            if (
                isinstance(block, dict)
                and block.get("type") == "tool_call_chunk"
                and block.get("id")
                and block["id"] in by_id
            ):
                content[position] = by_id[block["id"]]
                if "extras" in block:
                    content[position]["extras"] = block["extras"]

    def _finish_v1_server_tool_calls(self) -> None:
        """On the last v1 chunk, server tool call args (JSON strings) become dicts."""
        if not self._is_v1_list():
            return
        for block in self.content:
            if not isinstance(block, dict) or block.get("type") not in (
                "server_tool_call",
                "server_tool_call_chunk",
            ):
                continue
            args = block.get("args") or "{}"
            if isinstance(args, str):
                try:
                    parsed = json.loads(args)
                except json.JSONDecodeError:
                    continue
                if isinstance(parsed, dict):
                    block["type"], block["args"] = "server_tool_call", parsed

    @property
    def tool_call_chunks(self) -> list[ToolCallChunk]:
        """The streamed pieces of tool calls, merged by `index` when chunks add up."""
        value = self._tool_call_chunks
        if value is None:
            value = self._tool_call_chunks = []
        return value

    @tool_call_chunks.setter
    def tool_call_chunks(self, value: list[ToolCallChunk]) -> None:
        self._tool_call_chunks = value

    @property
    def content_blocks(self) -> list[dict[str, Any]]:
        """As for AIMessage; while streaming, tool call chunks appear as tool_call_chunk blocks."""
        blocks = super().content_blocks
        if self._is_v1_list():
            return blocks
        if self.tool_call_chunks and not self.content and self.chunk_position != "last":
            blocks = [b for b in blocks if b["type"] not in ("tool_call", "invalid_tool_call")]
            for chunk in self.tool_call_chunks:
                block: dict[str, Any] = {
                    "type": "tool_call_chunk",
                    "id": chunk.get("id"),
                    "name": chunk.get("name"),
                    "args": chunk.get("args"),
                }
                if (index := chunk.get("index")) is not None:
                    block["index"] = index
                blocks.append(block)
        return with_reasoning(self, blocks)

    def __add__(self, other: Any) -> BaseMessageChunk:
        """Merge with another AI chunk (or a list of them); other chunks merge generically."""
        if isinstance(other, AIMessageChunk):
            return add_ai_message_chunks(self, other)
        if isinstance(other, (list, tuple)) and all(isinstance(o, AIMessageChunk) for o in other):
            return add_ai_message_chunks(self, *other)
        return super().__add__(other)


def _best_id(ids: list[str | None]) -> str | None:
    """Provider ids beat run-derived `lc_run-` ids, which beat other `lc_` ids."""
    best, best_rank = None, -1
    for candidate in ids:
        if not candidate:
            continue
        if not candidate.startswith(LC_AUTO_PREFIX):
            return candidate
        rank = 1 if candidate.startswith(LC_ID_PREFIX) else 0
        if rank > best_rank:
            best, best_rank = candidate, rank
    return best


def _merged(dicts: list[dict[str, Any]]) -> dict[str, Any] | None:
    """merge_dicts over the non-empty dicts; the constructor copies a lone one."""
    if len(dicts) < 2:
        return dicts[0] if dicts else None
    return merge_dicts(*dicts)


def add_ai_message_chunks(left: AIMessageChunk, *others: AIMessageChunk) -> AIMessageChunk:
    """Merge AI chunks: content, metadata, tool call chunks (by index), usage (summed)."""
    # One pass over raw slots: an empty field is None there, and reading the property
    # would allocate. Empty dicts and lists change nothing in a merge, so they are skipped.
    contents, additional, metadata, calls, ids = [], [], [], [], [left.id]
    usage = left.usage_metadata
    summed = bool(usage)
    last = left.chunk_position == "last"
    for chunk in (left, *others):
        if chunk is not left:
            contents.append(chunk.content)
            ids.append(chunk.id)
            last = last or chunk.chunk_position == "last"
            if summed or chunk.usage_metadata is not None:
                summed = True
        if chunk._additional_kwargs:
            additional.append(chunk._additional_kwargs)
        if chunk._response_metadata:
            metadata.append(chunk._response_metadata)
        if chunk._tool_call_chunks and chunk is not left:
            calls.append(chunk._tool_call_chunks)
    if summed:
        for other in others:
            usage = add_usage(usage, other.usage_metadata)
    return left.__class__(
        content=merge_content(left.content, *contents),
        additional_kwargs=_merged(additional),
        # langchain copies the left list as is and merges the others' pieces into it.
        tool_call_chunks=merge_lists(left._tool_call_chunks or [], *calls),
        response_metadata=_merged(metadata),
        usage_metadata=usage if summed else None,
        id=_best_id(ids),
        chunk_position="last" if last else None,
    )
