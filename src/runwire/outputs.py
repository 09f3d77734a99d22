"""Model outputs: generations, chat results and `LLMResult`, as in `langchain_core.outputs`.

These are what `on_llm_end` handlers receive and print, so their repr matches
langchain-core's exactly. Plain slotted classes; no pydantic.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, ClassVar

from runwire.messages._merge import merge_dicts
from runwire.messages._record import REQUIRED, FieldSpec, Record, ValidationError, required
from runwire.messages.base import BaseMessage, BaseMessageChunk, text_of

if TYPE_CHECKING:
    from uuid import UUID

__all__ = [
    "ChatGeneration",
    "ChatGenerationChunk",
    "ChatResult",
    "Generation",
    "GenerationChunk",
    "LLMResult",
    "RunInfo",
    "merge_chat_generation_chunks",
]


def _check_info(generation_info: Any, owner: object) -> dict[str, Any] | None:
    if generation_info is None:
        return None
    if not isinstance(generation_info, dict):
        raise ValidationError(
            f"{type(owner).__name__} generation_info must be a dict or None, "
            f"got {type(generation_info).__name__}."
        )
    return dict(generation_info)


def _check_type(given: str | None, owner: Record) -> None:
    if given is not None and given != getattr(owner, "type", None):
        raise ValidationError(
            f"{type(owner).__name__} has type {getattr(owner, 'type', None)!r}, got type={given!r}."
        )


def _check_text(text: object, owner: object) -> str:
    if text is REQUIRED:
        raise required(owner, "text")
    if not isinstance(text, str):
        raise ValidationError(f"{type(owner).__name__} text must be a str, got {type(text).__name__}.")
    return text


class Generation(Record):
    """One text completion of a (non-chat) LLM."""

    __slots__ = ("generation_info", "text")
    type: str = "Generation"
    text: str
    generation_info: dict[str, Any] | None
    _fields: ClassVar[tuple[FieldSpec, ...]] = (
        ("text", REQUIRED, True),
        ("generation_info", None, True),
        ("type", "Generation", True),
    )

    def __init__(
        self, *, text: str = REQUIRED, generation_info: dict[str, Any] | None = None, type: str | None = None
    ) -> None:
        """`generation_info` holds the provider's raw extras (finish reason, logprobs, ...)."""
        if text.__class__ is not str:
            text = _check_text(text, self)
        self.text = text
        self.generation_info = None if generation_info is None else _check_info(generation_info, self)
        if type is not None:
            _check_type(type, self)


class GenerationChunk(Generation):
    """A streamed piece of a generation; `+` concatenates text and merges info."""

    __slots__ = ()

    def __add__(self, other: GenerationChunk) -> GenerationChunk:
        """Concatenate text; merge `generation_info` like message metadata."""
        if not isinstance(other, GenerationChunk):
            raise TypeError(
                f"unsupported operand type(s) for +: '{type(self)}' and '{type(other)}': "
                "a GenerationChunk adds only to another GenerationChunk."
            )
        info = merge_dicts(self.generation_info or {}, other.generation_info or {})
        return GenerationChunk(text=self.text + other.text, generation_info=info or None)


def _text_of_message(message: BaseMessage) -> str:
    """The generation text: the message text, also reading legacy `{"text": ...}` blocks."""
    content = message.content
    if type(content) is str:
        return content
    if isinstance(content, list) and any(
        isinstance(b, dict) and "text" in b and b.get("type") is None for b in content
    ):
        parts = []
        for block in content:
            if isinstance(block, str):
                parts.append(block)
            elif block.get("type") == "text" or (block.get("type") is None and "text" in block):
                parts.append(block.get("text", ""))
        return "".join(parts)
    return text_of(content)


class ChatGeneration(Generation):
    """One reply of a chat model; `text` is derived from the message."""

    __slots__ = ("message",)
    type = "ChatGeneration"
    message: BaseMessage
    _fields: ClassVar[tuple[FieldSpec, ...]] = (
        ("text", "", True),
        ("generation_info", None, True),
        ("type", "ChatGeneration", True),
        ("message", REQUIRED, True),
    )
    _message_class = BaseMessage

    def __init__(
        self,
        *,
        message: BaseMessage = REQUIRED,
        generation_info: dict[str, Any] | None = None,
        text: str = "",
        type: str | None = None,
    ) -> None:
        """`text` is accepted for compatibility and ignored: it always mirrors the message."""
        if message is REQUIRED:
            raise required(self, "message")
        if not isinstance(message, self._message_class):
            raise ValidationError(
                f"{self.__class__.__name__} message must be a {self._message_class.__name__}, "
                f"got {message.__class__.__name__}."
            )
        self.message = message
        self.text = _text_of_message(message)
        self.generation_info = None if generation_info is None else _check_info(generation_info, self)
        if type is not None:
            _check_type(type, self)


class ChatGenerationChunk(ChatGeneration):
    """A streamed piece of a chat generation; `+` merges message chunks and info."""

    __slots__ = ()
    type = "ChatGenerationChunk"
    message: BaseMessageChunk
    _fields: ClassVar[tuple[FieldSpec, ...]] = (
        ("text", "", True),
        ("generation_info", None, True),
        ("type", "ChatGenerationChunk", True),
        ("message", REQUIRED, True),
    )
    _message_class = BaseMessageChunk

    def __add__(self, other: ChatGenerationChunk | list[ChatGenerationChunk]) -> ChatGenerationChunk:
        """Merge with another chunk or a list of chunks."""
        if isinstance(other, ChatGenerationChunk):
            info = merge_dicts(self.generation_info or {}, other.generation_info or {})
            return ChatGenerationChunk(message=self.message + other.message, generation_info=info or None)
        if isinstance(other, list) and all(isinstance(x, ChatGenerationChunk) for x in other):
            info = merge_dicts(
                self.generation_info or {}, *[c.generation_info for c in other if c.generation_info]
            )
            return ChatGenerationChunk(
                message=self.message + [c.message for c in other], generation_info=info or None
            )
        raise TypeError(
            f"unsupported operand type(s) for +: '{type(self)}' and '{type(other)}': a ChatGenerationChunk "
            "adds only to another ChatGenerationChunk or a list of them."
        )


def merge_chat_generation_chunks(chunks: list[ChatGenerationChunk]) -> ChatGenerationChunk | None:
    """All chunks merged into one; None for no chunks."""
    if not chunks:
        return None
    if len(chunks) == 1:
        return chunks[0]
    return chunks[0] + chunks[1:]


def _check_generations(generations: Any, kind: type[Generation], owner: object, nested: bool) -> None:
    if generations is REQUIRED:
        raise required(owner, "generations")
    rows = generations if nested else [generations]
    if not isinstance(generations, list) or not all(isinstance(row, list) for row in rows):
        shape = "a list of lists" if nested else "a list"
        raise ValidationError(f"{type(owner).__name__} generations must be {shape} of {kind.__name__}.")
    for row in rows:
        for generation in row:
            if not isinstance(generation, kind):
                raise ValidationError(
                    f"{type(owner).__name__} generations must hold {kind.__name__} objects, "
                    f"got {type(generation).__name__}."
                )


class ChatResult(Record):
    """The candidates a chat model produced for one prompt, plus provider output."""

    __slots__ = ("generations", "llm_output")
    generations: list[ChatGeneration]
    llm_output: dict[str, Any] | None
    _hide_defaults = False
    _fields: ClassVar[tuple[FieldSpec, ...]] = (("generations", REQUIRED, True), ("llm_output", None, True))

    def __init__(
        self, *, generations: list[ChatGeneration] = REQUIRED, llm_output: dict[str, Any] | None = None
    ) -> None:
        """`llm_output` is free-form provider data (token usage, model name, ...)."""
        # The common shape (one ChatGeneration) is checked in one step; the rest fully.
        if not (
            type(generations) is list and len(generations) == 1 and type(generations[0]) is ChatGeneration
        ):
            _check_generations(generations, ChatGeneration, self, nested=False)
        self.generations = generations
        self.llm_output = llm_output


class RunInfo(Record):
    """The run id of one model call (kept for compatibility)."""

    __slots__ = ("run_id",)
    run_id: UUID
    _hide_defaults = False
    _fields: ClassVar[tuple[FieldSpec, ...]] = (("run_id", REQUIRED, True),)

    def __init__(self, *, run_id: UUID | str = REQUIRED) -> None:
        """A str run id is parsed into a UUID."""
        uuid = sys.modules.get("uuid")  # a UUID argument means the module is already loaded
        if uuid is not None and isinstance(run_id, uuid.UUID):
            self.run_id = run_id
        elif isinstance(run_id, str):
            from uuid import UUID

            self.run_id = UUID(run_id)
        elif run_id is REQUIRED:
            raise required(self, "run_id")
        else:
            raise ValidationError(
                f"RunInfo run_id must be a UUID (or its str form), got {type(run_id).__name__}."
            )


class LLMResult(Record):
    """What a model call produced: generations per prompt, provider output, run info.

    Equality ignores `run` and `type`, as in langchain-core.
    """

    __slots__ = ("generations", "llm_output", "run", "type")
    generations: list[list[Generation]]
    llm_output: dict[str, Any] | None
    run: list[RunInfo] | None
    type: str
    _hide_defaults = False
    _fields: ClassVar[tuple[FieldSpec, ...]] = (
        ("generations", REQUIRED, True),
        ("llm_output", None, True),
        ("run", None, True),
        ("type", "LLMResult", True),
    )

    def __init__(
        self,
        *,
        generations: list[list[Generation]] = REQUIRED,
        llm_output: dict[str, Any] | None = None,
        run: list[RunInfo] | None = None,
        type: str = "LLMResult",
    ) -> None:
        """`generations[i]` are the candidates for prompt `i`."""
        _check_generations(generations, Generation, self, nested=True)
        if type != "LLMResult":
            raise ValidationError(f"LLMResult has type 'LLMResult', got type={type!r}.")
        self.generations = generations
        self.llm_output = llm_output
        self.run = run
        self.type = type

    @classmethod
    def _of_chat(cls, result: ChatResult) -> LLMResult:
        """A chat model's one-prompt result, built without re-checking generations `ChatResult`
        already checked (the end event of every model run)."""
        self = object.__new__(cls)
        self.generations = [list(result.generations)]
        self.llm_output = result.llm_output
        self.run = None
        self.type = "LLMResult"
        return self

    def flatten(self) -> list[LLMResult]:
        """One result per prompt; token usage stays only on the first, to avoid double counting."""
        results = []
        for position, candidates in enumerate(self.generations):
            llm_output = self.llm_output
            if position and llm_output is not None:
                import copy

                llm_output = copy.deepcopy(llm_output)
                llm_output["token_usage"] = {}
            results.append(LLMResult(generations=[candidates], llm_output=llm_output))
        return results

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LLMResult):
            return NotImplemented
        return self.generations == other.generations and self.llm_output == other.llm_output

    __hash__ = None  # mutable, like a pydantic model
