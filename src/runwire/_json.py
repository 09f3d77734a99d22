"""Lenient JSON for model output: truncated documents and Markdown-fenced JSON.

`parse_partial_json` reads a JSON document cut off mid-stream (open strings, arrays and
objects are closed; a dangling key or value is dropped), with langchain-core's exact
results, so streamed tool-call arguments and JSON parsers agree with it. Not a general
JSON5/"fix my JSON" tool: text that is not a prefix of JSON stays an error.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from itertools import accumulate
from typing import Any

_CLOSER = {"{": "}", "[": "]"}


def _close_open_string(s: str) -> tuple[list[str], str] | None:
    """Split `s` into pieces (one per character) ready to be cut, plus the closing brackets.

    Inside strings, raw newlines become `\\n`; an unterminated string is closed (without
    a dangling backslash). None when a closing bracket does not match its opener.
    """
    pieces: list[str] = []
    expected: list[str] = []
    in_string = escaped = False
    for char in s:
        piece = char
        if in_string:
            if char == '"' and not escaped:
                in_string = False
            elif char == "\n" and not escaped:
                piece = "\\n"
            elif char == "\\":
                escaped = not escaped
            else:
                escaped = False
        elif char == '"':
            in_string, escaped = True, False
        elif char in _CLOSER:
            expected.append(_CLOSER[char])
        elif char in "]}":
            if not expected or expected[-1] != char:
                return None
            expected.pop()
        pieces.append(piece)
    if in_string:
        if escaped:
            pieces.pop()
        pieces.append('"')
    return pieces, "".join(reversed(expected))


def parse_partial_json(s: str, *, strict: bool = False) -> Any:
    """Parse JSON that may be truncated.

    Complete JSON parses as usual. Otherwise open strings, arrays and objects are closed,
    and trailing characters are dropped until the rest parses: `'{"a": [1, 2'` gives
    `{"a": [1, 2]}`, `'{"a": 1, "b'` gives `{"a": 1}`. Returns None when brackets are
    mismatched; raises `json.JSONDecodeError` when no prefix of `s` is JSON.
    """
    try:
        return json.loads(s, strict=strict)
    except json.JSONDecodeError:
        pass
    repaired = _close_open_string(s)
    if repaired is None:
        return None
    pieces, closing = repaired
    ends = list(accumulate(map(len, pieces)))  # text offset where each piece ends
    while pieces:
        try:
            return json.loads("".join(pieces) + closing, strict=strict)
        except json.JSONDecodeError as error:
            # Every longer cut keeps the piece the decoder rejected, so it fails too: jump
            # straight below it instead of dropping one character at a time.
            cut = min(bisect_right(ends, error.pos), len(pieces) - 1)
            del pieces[cut:]
            del ends[cut:]
    return json.loads(s, strict=strict)  # raises: nothing parsed


_FENCED = re.compile(r"```(json)?(.*)", re.DOTALL)
_ACTION_INPUT = re.compile(r'("action_input"\:\s*")(.*?)(")', re.DOTALL)
_UNESCAPED_QUOTE = re.compile(r'(?<!\\)"')


def _escape_action_input(match: re.Match[str]) -> str:
    # Agents' "action_input" strings often hold raw newlines, tabs and quotes.
    value = match.group(2).replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return match.group(1) + _UNESCAPED_QUOTE.sub('\\\\"', value) + match.group(3)


def _parse_stripped(text: str, partial: bool) -> Any:
    text = _ACTION_INPUT.sub(_escape_action_input, text.strip(" \n\r\t`"))
    return parse_partial_json(text) if partial else json.loads(text, strict=False)


def parse_json_markdown(json_string: str, *, partial: bool = True) -> Any:
    """Parse JSON from model output, inside a ```json fence or bare.

    With `partial` (the default, as langchain-core's JSON parser uses it) truncated JSON
    is completed by `parse_partial_json`; without, the JSON must be whole. Raises
    `json.JSONDecodeError` when there is no JSON.
    """
    try:
        return _parse_stripped(json_string, partial)
    except json.JSONDecodeError:
        fenced = _FENCED.search(json_string)
        return _parse_stripped(json_string if fenced is None else fenced.group(2), partial)
