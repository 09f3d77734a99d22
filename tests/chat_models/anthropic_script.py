"""Messages API bodies and SSE event sequences for the scripted Anthropic server."""

from __future__ import annotations

from typing import Any

MODEL = "claude-3-sonnet-20240229"


def message(content: list[dict[str, Any]], stop_reason: str = "end_turn", **usage: int) -> dict[str, Any]:
    return {
        "id": "msg_01D8Tt5FdtBk5gLTfBPm2tac",
        "type": "message",
        "role": "assistant",
        "model": MODEL,
        "content": content,
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": usage or {"input_tokens": 16, "output_tokens": 13},
    }


def text(value: str) -> dict[str, Any]:
    return {"type": "text", "text": value}


def tool_use(name: str, args: dict[str, Any], id_: str = "toolu_01") -> dict[str, Any]:
    return {"type": "tool_use", "id": id_, "name": name, "input": args}


def error(kind: str, detail: str) -> dict[str, Any]:
    return {"type": "error", "error": {"type": kind, "message": detail}}


def _start(input_tokens: int) -> tuple[str, dict[str, Any]]:
    opening = message([], stop_reason=None)  # type: ignore[arg-type]
    opening["usage"] = {"input_tokens": input_tokens, "output_tokens": 1}
    return "message_start", {"type": "message_start", "message": opening}


def _end(stop_reason: str, output_tokens: int) -> list[tuple[str, dict[str, Any]]]:
    return [
        (
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": stop_reason, "stop_sequence": None},
                "usage": {"output_tokens": output_tokens},
            },
        ),
        ("message_stop", {"type": "message_stop"}),
    ]


def text_stream(*pieces: str) -> list[tuple[str | None, Any]]:
    """message_start, one text block streamed as `pieces` (with a ping), message_delta, stop."""
    events: list[tuple[str | None, Any]] = [
        _start(16),
        ("content_block_start", {"type": "content_block_start", "index": 0, "content_block": text("")}),
        ("ping", {"type": "ping"}),
    ]
    events += [
        (
            "content_block_delta",
            {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": p}},
        )
        for p in pieces
    ]
    events.append(("content_block_stop", {"type": "content_block_stop", "index": 0}))
    return events + _end("end_turn", 13)  # type: ignore[operator]


def tool_stream(
    name: str, json_pieces: list[str], preamble: str = "Let me check."
) -> list[tuple[str | None, Any]]:
    """A text block, then a tool_use block whose input arrives as `input_json_delta`s."""
    events: list[tuple[str | None, Any]] = [
        _start(40),
        ("content_block_start", {"type": "content_block_start", "index": 0, "content_block": text("")}),
        (
            "content_block_delta",
            {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": preamble}},
        ),
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        (
            "content_block_start",
            {
                "type": "content_block_start",
                "index": 1,
                "content_block": {"type": "tool_use", "id": "toolu_01", "name": name, "input": {}},
            },
        ),
    ]
    events += [
        (
            "content_block_delta",
            {
                "type": "content_block_delta",
                "index": 1,
                "delta": {"type": "input_json_delta", "partial_json": p},
            },
        )
        for p in json_pieces
    ]
    events.append(("content_block_stop", {"type": "content_block_stop", "index": 1}))
    return events + _end("tool_use", 20)  # type: ignore[operator]
