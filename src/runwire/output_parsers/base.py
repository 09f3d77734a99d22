"""BaseOutputParser: the runnable that turns a model's output (text or message) into a value.

A parser is reported to handlers as a chain run with `run_type="parser"`. Subclasses
implement `parse(text)`; on invoke a str goes to `parse` as is and a message goes as its
text, with no `Generation` object built in between. A subclass written the langchain way
that overrides `parse_result` gets the generations it expects (decided once per class).
Transform parsers stream: chunk by chunk, or re-parsing the text so far (cumulative).
Not here: concrete parsers.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any, ClassVar, Generic, TypeVar

from runwire._fields import Fields
from runwire.messages import BaseMessage, BaseMessageChunk
from runwire.outputs import ChatGeneration, Generation
from runwire.runnables.base import Runnable
from runwire.runnables.config import RunnableConfig

T = TypeVar("T")


def output_text(output: Any, parser: object) -> str:
    """The text a parser reads from a model output: a str itself, or a message's text
    (str content as is; list content as its text blocks, exactly as `ChatGeneration.text`)."""
    if isinstance(output, str):
        return output
    if isinstance(output, BaseMessage):
        content = output.content
        return content if isinstance(content, str) else ChatGeneration(message=output).text
    raise TypeError(
        f"{type(parser).__name__} parses a str or a message, got {type(output).__name__}: {output!r:.80}. "
        "Put it after a chat model or an LLM, or pass the text."
    )


def as_generation(output: Any, parser: object) -> Generation:
    """`output` wrapped the way langchain-core hands it to `parse_result`."""
    if isinstance(output, BaseMessage):
        return ChatGeneration(message=output)
    return Generation(text=output_text(output, parser))


class BaseLLMOutputParser(Generic[T]):
    """Anything that parses a list of generations into a value."""

    def parse_result(self, result: list[Generation], *, partial: bool = False) -> T:
        """The value read from `result` (usually its first generation)."""
        raise NotImplementedError(f"{type(self).__name__} must implement `parse_result`")

    async def aparse_result(self, result: list[Generation], *, partial: bool = False) -> T:
        """`parse_result` (parsing does no I/O, so it runs inline)."""
        return self.parse_result(result, partial=partial)


class BaseOutputParser(Fields, BaseLLMOutputParser[T], Runnable[Any, T]):
    """Base of output parsers: implement `parse(text)`; `invoke` takes a str or a message."""

    _run_type: ClassVar[str | None] = "parser"
    _via_result: ClassVar[bool] = False
    """True for a subclass (outside runwire) that overrides `parse_result`: it gets generations."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__module__.startswith("runwire."):
            return
        if "parse_result" in cls.__dict__:
            cls._via_result = True
        elif "parse" in cls.__dict__:
            # A built-in parser's fast `_parse_output` would bypass this override of `parse`.
            cls._parse_output = BaseOutputParser._parse_output  # type: ignore[method-assign]

    def _invoke(self, input: Any, config: RunnableConfig | None, run: Any, **kwargs: Any) -> T:
        if self._via_result:
            return self.parse_result([as_generation(input, self)])
        return self._parse_output(input)

    def _parse_output(self, output: Any) -> T:
        """The value for a model output (str or message); built-in parsers have faster ones."""
        return self.parse(output_text(output, self))

    def parse(self, text: str) -> T:
        """The value read from `text`."""
        raise NotImplementedError(f"{type(self).__name__} must implement `parse`")

    async def aparse(self, text: str) -> T:
        """`parse` (parsing does no I/O, so it runs inline)."""
        return self.parse(text)

    def parse_result(self, result: list[Generation], *, partial: bool = False) -> T:
        """`parse` of the first generation's text."""
        return self.parse(result[0].text)

    def parse_with_prompt(self, completion: str, prompt: Any) -> Any:
        """`parse(completion)`; parsers that retry with the prompt override this."""
        return self.parse(completion)

    def get_format_instructions(self) -> str:
        """Instructions for the model on how to format its output for this parser."""
        raise NotImplementedError(f"{type(self).__name__} has no format instructions")

    @property
    def _type(self) -> str:
        raise NotImplementedError(f"{type(self).__name__} does not define `_type`")

    def __str__(self) -> str:
        """Fields that differ from their defaults, space-separated (pydantic's `str`)."""
        fields = type(self).model_fields.items()
        return " ".join(
            f"{k}={getattr(self, k)!r}" for k, (default, _) in fields if getattr(self, k) != default
        )

    @property
    def InputType(self) -> Any:
        return str | BaseMessage

    @property
    def OutputType(self) -> Any:
        """The `T` of the nearest `BaseOutputParser[T]`-style base (`str` for StrOutputParser)."""
        from runwire.runnables.schema import first_generic_arg

        found = first_generic_arg(type(self), BaseLLMOutputParser)
        if found is None:
            raise TypeError(
                f"Runnable {type(self).__name__} doesn't have an inferable OutputType. "
                "Override the OutputType property to specify the output type."
            )
        return found


class BaseGenerationOutputParser(BaseOutputParser[T]):
    """A parser that reads whole generations: implement `parse_result` instead of `parse`."""

    _via_result: ClassVar[bool] = True


class BaseTransformOutputParser(BaseOutputParser[T]):
    """Base of parsers that parse a stream chunk by chunk: each chunk parses on its own."""

    _body_calls_out: ClassVar[bool] = False  # parsing calls no runnable

    def _transform(
        self, chunks: Iterator[Any], config: RunnableConfig | None, run: Any, **kwargs: Any
    ) -> Any:
        parse = self._parse_chunk
        for chunk in chunks:
            yield parse(chunk)

    async def _atransform(
        self, chunks: AsyncIterator[Any], config: RunnableConfig | None, run: Any, **kwargs: Any
    ) -> Any:
        parse = self._parse_chunk
        async for chunk in chunks:
            yield parse(chunk)

    def _parse_chunk(self, chunk: Any) -> Any:
        return self._invoke(chunk, None, None)


class BaseCumulativeTransformOutputParser(BaseTransformOutputParser[T]):
    """Base of parsers that re-parse the output accumulated so far and yield each new value
    (so a JSON parser yields growing partial objects; with `diff=True`, the changes instead).

    Text chunks accumulate as text; message chunks are added together, so a tool-call parser
    sees the merged tool-call chunks of the message so far, as in langchain-core.
    """

    diff: bool = False
    """While streaming, yield what changed since the previous value (see `_diff`) instead of it."""

    def _diff(self, prev: Any, next: Any) -> Any:
        """The change from `prev` to `next` (the format is up to the parser)."""
        raise NotImplementedError(f"{type(self).__name__} does not support diff=True")

    def _partial(self, so_far: Any) -> Any:
        """The value of the output so far (text or message), or None when there is none yet."""
        generation = (
            ChatGeneration(message=so_far) if isinstance(so_far, BaseMessage) else Generation(text=so_far)
        )
        return self.parse_result([generation], partial=True)

    def _step(self, state: _Cumulative, chunk: Any) -> Any:
        """The value to yield after `chunk`, or `_NOTHING`."""
        value = self._partial(state.add(chunk, self))
        if value is None or value == state.previous:
            return _NOTHING
        # Each parse builds new objects, so the value is yielded as is (no copy), as in langchain-core.
        out = self._diff(state.previous, value) if self.diff else value
        state.previous = value
        return out

    def _transform(
        self, chunks: Iterator[Any], config: RunnableConfig | None, run: Any, **kwargs: Any
    ) -> Any:
        state = _Cumulative()
        for chunk in chunks:
            out = self._step(state, chunk)
            if out is not _NOTHING:
                yield out

    async def _atransform(
        self, chunks: AsyncIterator[Any], config: RunnableConfig | None, run: Any, **kwargs: Any
    ) -> Any:
        state = _Cumulative()
        async for chunk in chunks:
            out = self._step(state, chunk)
            if out is not _NOTHING:
                yield out


_NOTHING: Any = object()


class _Cumulative:
    """The output streamed so far: text parts, or the sum of the message chunks."""

    __slots__ = ("message", "parts", "previous")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.message: BaseMessage | None = None
        self.previous: Any = None

    def add(self, chunk: Any, parser: object) -> Any:
        if isinstance(chunk, BaseMessageChunk):
            if self.message is None and not self.parts:
                self.message = chunk
                return chunk
            if isinstance(self.message, BaseMessageChunk):
                self.message = self.message + chunk
                return self.message
        if isinstance(chunk, BaseMessage) and self.message is None and not self.parts:
            self.message = chunk  # a whole message: parsed as it is
            return chunk
        if self.message is not None:  # text after a message, or a message after a message: text from now on
            self.parts.append(output_text(self.message, parser))
            self.message = None
        self.parts.append(output_text(chunk, parser))
        return "".join(self.parts)


from runwire._not_yet import install_methods as _install_methods  # noqa: E402 - needs the class

_install_methods(BaseOutputParser, "BaseOutputParser")  # langchain-core methods not here yet explain so
