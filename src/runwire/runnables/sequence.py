"""RunnableSequence: steps run one after another, each a child run tagged `seq:step:N`."""

from __future__ import annotations

from typing import Any

from runwire.runnables import schema
from runwire.runnables.base import Input, Output, Runnable, coerce_to_runnable, indent_lines_after_first
from runwire.runnables.config import RunnableConfig, child_config
from runwire.runnables.streaming import aclose_upstream


class RunnableSequence(Runnable[Input, Output]):
    """`a | b | c`: the output of each step is the input of the next."""

    _body_calls_out = False

    def __init__(
        self,
        *steps: Any,
        name: str | None = None,
        first: Any = None,
        middle: list[Any] | None = None,
        last: Any = None,
    ) -> None:
        flat: list[Runnable[Any, Any]] = []
        parts = [
            *(() if first is None else (first,)),
            *(middle or ()),
            *steps,
            *(() if last is None else (last,)),
        ]
        for part in parts:
            step = coerce_to_runnable(part)
            # Nested sequences are flattened, as in langchain-core (so step tags count all steps).
            flat.extend(step.steps if type(step) is RunnableSequence else (step,))
        if len(flat) < 2:
            raise ValueError(f"RunnableSequence must have at least 2 steps, got {len(flat)}")
        self.steps: list[Runnable[Any, Any]] = flat
        self.name = name
        self._tags = tuple(f"seq:step:{i}" for i in range(1, len(flat) + 1))  # built once, not per call
        # (step, its tag) pairs: what a listened-to run iterates (no zip object per call)
        self._tagged = tuple(zip(flat, self._tags, strict=True))

    @property
    def InputType(self) -> Any:
        return self.first.InputType

    @property
    def OutputType(self) -> Any:
        return self.last.OutputType

    def get_input_schema(self, config: RunnableConfig | None = None) -> Any:
        return schema.sequence_input_schema(self.steps, config)

    def get_output_schema(self, config: RunnableConfig | None = None) -> Any:
        return schema.sequence_output_schema(self.steps, config)

    @property
    def config_specs(self) -> list[Any]:
        return schema.unique_config_specs(spec for step in self.steps for spec in step.config_specs)

    @property
    def first(self) -> Runnable[Input, Any]:
        return self.steps[0]

    @property
    def middle(self) -> list[Runnable[Any, Any]]:
        return self.steps[1:-1]

    @property
    def last(self) -> Runnable[Any, Output]:
        return self.steps[-1]

    def __or__(self, other: Any) -> RunnableSequence[Input, Any]:
        return RunnableSequence(*self.steps, coerce_to_runnable(other), name=self.name)

    def __ror__(self, other: Any) -> RunnableSequence[Any, Output]:
        return RunnableSequence(coerce_to_runnable(other), *self.steps, name=self.name)

    def _invoke(self, input: Any, config: RunnableConfig | None, run: Any, **kwargs: Any) -> Any:
        if run is None:
            config = child_config(config, None)
            for step in self.steps:
                input = step.invoke(input, config)
            return input
        for step, tag in self._tagged:
            input = step.invoke(input, run.child_config(tag))
        return input

    async def _ainvoke(self, input: Any, config: RunnableConfig | None, run: Any, **kwargs: Any) -> Any:
        if run is None:
            config = child_config(config, None)
            for step in self.steps:
                input = await step.ainvoke(input, config)
            return input
        for step, tag in self._tagged:
            input = await step.ainvoke(input, run.child_config(tag))
        return input

    def _transform(self, chunks: Any, config: RunnableConfig | None, run: Any, **kwargs: Any) -> Any:
        # Each step streams into the next: a step that can stream starts on the first chunk.
        if run is None:
            config = child_config(config, None)
            for step in self.steps:
                chunks = step.transform(chunks, config)
        else:
            for step, tag in self._tagged:
                chunks = step.transform(chunks, run.child_config(tag))
        yield from chunks

    async def _atransform(self, chunks: Any, config: RunnableConfig | None, run: Any, **kwargs: Any) -> Any:
        if run is None:
            config = child_config(config, None)
            for step in self.steps:
                chunks = step.atransform(chunks, config)
        else:
            for step, tag in self._tagged:
                chunks = step.atransform(chunks, run.child_config(tag))
        inner = chunks
        try:
            async for chunk in inner:
                yield chunk
        except BaseException as exc:  # reach the inner stream now: async for has no `yield from`
            await aclose_upstream(inner, exc)
            raise

    def __repr__(self) -> str:
        return "\n| ".join(
            repr(step) if i == 0 else indent_lines_after_first(repr(step), "| ")
            for i, step in enumerate(self.steps)
        )
