"""BaseOutputParser: the runnable that turns a model's output (text or message) into a value.

A parser is reported to handlers as a chain run with `run_type="parser"`. Subclasses
implement `parse(text)`; on invoke a str goes to `parse` as is and a message goes as its
text, with no `Generation` object built in between. A subclass written the langchain way
that overrides `parse_result` gets the generations it expects (decided once per class).
Transform parsers stream: chunk by chunk, or re-parsing the text so far (cumulative).
Not here: concrete parsers.
"""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator, Iterator
from typing import Any, ClassVar, Generic, TypeVar

from runwire._fields import Fields
from runwire.messages import BaseMessage
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
    """Base of parsers that re-parse the text accumulated so far and yield each new value
    (so a JSON parser yields growing partial objects)."""

    diff: bool = False

    def _partial(self, text: str) -> Any:
        """The value of the text so far, or None when there is none yet."""
        return self.parse_result([Generation(text=text)], partial=True)

    def _transform(
        self, chunks: Iterator[Any], config: RunnableConfig | None, run: Any, **kwargs: Any
    ) -> Any:
        parts: list[str] = []
        previous: Any = None
        for chunk in chunks:
            parts.append(output_text(chunk, self))
            value = self._partial("".join(parts))
            if value is not None and value != previous:
                previous = value
                yield copy.deepcopy(value)  # the consumer may keep it; the next parse must not change it

    async def _atransform(
        self, chunks: AsyncIterator[Any], config: RunnableConfig | None, run: Any, **kwargs: Any
    ) -> Any:
        parts: list[str] = []
        previous: Any = None
        async for chunk in chunks:
            parts.append(output_text(chunk, self))
            value = self._partial("".join(parts))
            if value is not None and value != previous:
                previous = value
                yield copy.deepcopy(value)
