"""`trim_messages`: keep a message history under a token budget, langchain-core's algorithm.

`strategy="last"` keeps the most recent messages (optionally the first system message too,
starting on a given type), `"first"` the earliest; `allow_partial` cuts one message's content
blocks or text lines to use the rest of the budget; `end_on` drops trailing messages of other
types. Tokens are counted by a function of the message list, of one message (annotated
`BaseMessage`), a model's `get_num_tokens_from_messages`, or `"approximate"`.
Not here: the other message utilities (`transform`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Literal

from runwire.messages.base import BaseMessage
from runwire.messages.basic import SystemMessage
from runwire.messages.transform import (
    _TOKEN_COUNTER_SHORTCUTS,
    MessageTypes,
    _is_message_type,
    _runnable_support,
)
from runwire.messages.utils import convert_to_messages

Counter = Callable[[list[BaseMessage]], int]


def _list_counter(token_counter: Any) -> Counter:
    if isinstance(token_counter, str):
        if token_counter not in _TOKEN_COUNTER_SHORTCUTS:
            shortcuts = ", ".join(f"'{key}'" for key in _TOKEN_COUNTER_SHORTCUTS)
            raise ValueError(
                f"Invalid token_counter shortcut '{token_counter}'. Available shortcuts: {shortcuts}."
            )
        return _TOKEN_COUNTER_SHORTCUTS[token_counter]
    if hasattr(token_counter, "get_num_tokens_from_messages"):
        return token_counter.get_num_tokens_from_messages  # type: ignore[no-any-return]
    if callable(token_counter):
        import inspect

        first = next(iter(inspect.signature(token_counter).parameters.values()), None)
        annotation = first.annotation if first is not None else None
        if isinstance(annotation, type) and issubclass(annotation, BaseMessage):
            return lambda messages: sum(token_counter(message) for message in messages)
        return token_counter  # type: ignore[no-any-return]
    raise ValueError(
        "'token_counter' expected to be a model that implements 'get_num_tokens_from_messages()' "
        f"or a function. Received object of type {type(token_counter)}."
    )


def _default_text_splitter(text: str) -> list[str]:
    splits = text.split("\n")
    return [s + "\n" for s in splits[:-1]] + splits[-1:]


@_runnable_support
def trim_messages(
    messages: Iterable[Any],
    *,
    max_tokens: int,
    token_counter: Any,
    strategy: Literal["first", "last"] = "last",
    allow_partial: bool = False,
    end_on: MessageTypes | None = None,
    start_on: MessageTypes | None = None,
    include_system: bool = False,
    text_splitter: Callable[[str], list[str]] | Any | None = None,
) -> list[BaseMessage]:
    """The messages that fit in `max_tokens` by `strategy` (see the module docstring)."""
    if start_on and strategy == "first":
        raise ValueError("start_on parameter is only valid with strategy='last'")
    if include_system and strategy == "first":
        raise ValueError("include_system parameter is only valid with strategy='last'")
    converted = convert_to_messages(messages)
    counter = _list_counter(token_counter)
    split_text = getattr(text_splitter, "split_text", text_splitter) or _default_text_splitter
    if strategy == "first":
        return _first_max_tokens(
            converted,
            max_tokens=max_tokens,
            token_counter=counter,
            text_splitter=split_text,
            partial_strategy="first" if allow_partial else None,
            end_on=end_on,
        )
    if strategy == "last":
        return _last_max_tokens(
            converted,
            max_tokens=max_tokens,
            token_counter=counter,
            text_splitter=split_text,
            allow_partial=allow_partial,
            include_system=include_system,
            start_on=start_on,
            end_on=end_on,
        )
    raise ValueError(f"Unrecognized strategy={strategy!r}. Supported strategies are 'last' and 'first'.")


def _fits(messages: list[BaseMessage], max_tokens: int, counter: Counter) -> int:
    """How many leading messages fit (binary search, as langchain-core does)."""
    left, right = 0, len(messages)
    for _ in range(len(messages).bit_length()):
        if left >= right:
            break
        mid = (left + right + 1) // 2
        if counter(messages[:mid]) <= max_tokens:
            left = mid
        else:
            right = mid - 1
    return left


def _first_text(content: Any) -> str | None:
    if isinstance(content, str):
        return content
    for block in content if isinstance(content, list) else ():
        if isinstance(block, str):
            return block
        if isinstance(block, dict) and block.get("type") == "text":
            return block.get("text")
    return None


def _partial(  # noqa: PLR0917  # private, called once
    messages: list[BaseMessage],
    idx: int,
    max_tokens: int,
    counter: Counter,
    text_splitter: Callable[[str], list[str]],
    strategy: Literal["first", "last"],
) -> tuple[list[BaseMessage], int]:
    """Add as much of message `idx` as fits: whole content blocks first, else text splits."""
    excluded = messages[idx].model_copy(deep=True)
    if isinstance(excluded.content, list):
        blocks = list(reversed(excluded.content)) if strategy == "last" else excluded.content
        for _ in range(1, len(blocks)):
            blocks = blocks[:-1]
            excluded.content = blocks
            if counter([*messages[:idx], excluded]) <= max_tokens:
                if strategy == "last":
                    excluded.content = list(reversed(blocks))
                return [*messages[:idx], excluded], idx + 1
        excluded.content = list(reversed(blocks)) if strategy == "last" else blocks
    text = _first_text(excluded.content)
    if not text:
        return messages, idx
    splits = text_splitter(text)
    base = counter(messages[:idx])
    if strategy == "last":
        splits = list(reversed(splits))
    left, right = 0, len(splits)
    for _ in range(len(splits).bit_length()):
        if left >= right:
            break
        mid = (left + right + 1) // 2
        excluded.content = "".join(splits[:mid])
        if base + counter([excluded]) <= max_tokens:
            left = mid
        else:
            right = mid - 1
    if left == 0:
        return messages, idx
    kept = splits[:left]
    excluded.content = "".join(reversed(kept) if strategy == "last" else kept)
    return [*messages[:idx], excluded], idx + 1


def _first_max_tokens(
    messages: Sequence[BaseMessage],
    *,
    max_tokens: int,
    token_counter: Counter,
    text_splitter: Callable[[str], list[str]],
    partial_strategy: Literal["first", "last"] | None = None,
    end_on: MessageTypes | None = None,
) -> list[BaseMessage]:
    messages = list(messages)
    if not messages:
        return messages
    if token_counter(messages) <= max_tokens:
        while end_on and messages and not _is_message_type(messages[-1], end_on):
            messages.pop()
        return messages
    idx = _fits(messages, max_tokens, token_counter)
    if partial_strategy and idx < len(messages):
        messages, idx = _partial(messages, idx, max_tokens, token_counter, text_splitter, partial_strategy)
    while end_on and idx > 0 and not _is_message_type(messages[idx - 1], end_on):
        idx -= 1
    return messages[:idx]


def _last_max_tokens(
    messages: Sequence[BaseMessage],
    *,
    max_tokens: int,
    token_counter: Counter,
    text_splitter: Callable[[str], list[str]],
    allow_partial: bool = False,
    include_system: bool = False,
    start_on: MessageTypes | None = None,
    end_on: MessageTypes | None = None,
) -> list[BaseMessage]:
    messages = list(messages)
    while end_on and messages and not _is_message_type(messages[-1], end_on):
        messages.pop()
    system = None
    if include_system and messages and isinstance(messages[0], SystemMessage):
        system, messages = messages[0], messages[1:]
    remaining = max_tokens if system is None else max(0, max_tokens - token_counter([system]))
    kept = _first_max_tokens(
        messages[::-1],
        max_tokens=remaining,
        token_counter=token_counter,
        text_splitter=text_splitter,
        partial_strategy="last" if allow_partial else None,
        end_on=start_on,
    )[::-1]
    return [system, *kept] if system is not None else kept
