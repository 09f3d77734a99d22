"""RunnableParallel: the same input to several steps, outputs collected in a dict.

Each branch is a child run tagged `map:key:K`. Sync branches run on the shared pool with the
caller taking part (so one branch costs no thread hop); async branches are gathered.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from runwire.runnables import schema
from runwire.runnables.base import Input, Runnable, coerce_to_runnable, indent_lines_after_first
from runwire.runnables.config import RunnableConfig, child_config, gather_or_cancel, run_all
from runwire.runnables.streaming import AddableDict, aclose_upstream


class RunnableParallel(Runnable[Input, dict[str, Any]]):
    """`{"a": r1, "b": r2}`: invoke each on the input; the output maps each key to its result."""

    def __init__(self, steps__: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
        merged = {**(steps__ or {}), **kwargs}
        self.steps__: dict[str, Runnable[Input, Any]] = {k: coerce_to_runnable(v) for k, v in merged.items()}
        self._tags = {key: f"map:key:{key}" for key in self.steps__}

    @property
    def steps(self) -> dict[str, Runnable[Input, Any]]:
        return self.steps__

    def get_name(self, suffix: str | None = None, *, name: str | None = None) -> str:
        base = name or self.name or f"RunnableParallel<{','.join(self.steps__)}>"
        return f"{base}{suffix}" if suffix else base

    @property
    def InputType(self) -> Any:
        for step in self.steps__.values():
            if step.InputType:
                return step.InputType
        return Any

    def get_input_schema(self, config: RunnableConfig | None = None) -> Any:
        # Steps that all read a dict: the union of the keys they read.
        steps = self.steps__.values()
        if all(s.get_input_jsonschema(config).get("type", "object") == "object" for s in steps):
            fields: dict[str, Any] = {}
            for step in steps:
                step_schema = step.get_input_schema(config)
                root = step_schema.model_fields.get("root")
                if root is not None and root.annotation != Any:
                    return super().get_input_schema(config)
                fields.update(schema.object_fields(step_schema))
            return schema.create_model(self.get_name("Input"), fields=fields)
        return super().get_input_schema(config)

    def get_output_schema(self, config: RunnableConfig | None = None) -> Any:
        fields = {key: (step.OutputType, ...) for key, step in self.steps__.items()}
        return schema.create_model(self.get_name("Output"), fields=fields)

    @property
    def config_specs(self) -> list[Any]:
        return schema.unique_config_specs(
            spec for step in self.steps__.values() for spec in step.config_specs
        )

    def _invoke(self, input: Any, config: RunnableConfig | None, run: Any, **kwargs: Any) -> dict[str, Any]:
        keys = list(self.steps__)
        if not keys:
            return {}
        configs = [child_config(config, run, self._tags[key]) for key in keys]
        steps = [self.steps__[key] for key in keys]
        tasks = [(lambda s=step, c=cfg: s.invoke(input, c)) for step, cfg in zip(steps, configs, strict=True)]
        max_concurrency = config.get("max_concurrency") if config else None
        results = run_all(tasks, max_concurrency)
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return dict(zip(keys, results, strict=True))

    async def _ainvoke(
        self, input: Any, config: RunnableConfig | None, run: Any, **kwargs: Any
    ) -> dict[str, Any]:
        keys = list(self.steps__)
        results = await gather_or_cancel(
            *(self.steps__[key].ainvoke(input, child_config(config, run, self._tags[key])) for key in keys)
        )
        return dict(zip(keys, results, strict=True))

    def _transform(self, chunks: Any, config: RunnableConfig | None, run: Any, **kwargs: Any) -> Any:
        # Branches stream one after another, each chunk tagged by its key (`{key: chunk}`).
        from runwire.runnables.streaming import _gather

        input = _gather(chunks)
        for key, step in self.steps__.items():
            stream: Any = step.stream(input, child_config(config, run, self._tags[key]))
            try:
                for chunk in stream:
                    yield AddableDict({key: chunk})
            finally:
                stream.close()  # at once, not when a traceback lets go of this frame

    async def _atransform(self, chunks: Any, config: RunnableConfig | None, run: Any, **kwargs: Any) -> Any:
        # Branches stream concurrently; chunks are yielded as they arrive.
        import asyncio

        from runwire.runnables.streaming import _gather

        input = _gather([chunk async for chunk in chunks])
        queue: asyncio.Queue[Any] = asyncio.Queue()
        done = object()

        async def pump(key: str, step: Runnable[Any, Any]) -> None:
            stream = step.astream(input, child_config(config, run, self._tags[key]))
            try:
                async for chunk in stream:
                    await queue.put(AddableDict({key: chunk}))
            except BaseException as exc:
                await aclose_upstream(stream, exc)
                raise
            finally:
                queue.put_nowait(done)

        tasks = [asyncio.ensure_future(pump(key, step)) for key, step in self.steps__.items()]
        try:
            remaining = len(tasks)
            while remaining:
                item = await queue.get()
                if item is done:
                    remaining -= 1
                    continue
                yield item
            for task in tasks:
                task.result()  # re-raise a branch's error
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    def __repr__(self) -> str:
        inner = ",\n  ".join(
            f"{k}: {indent_lines_after_first(repr(v), '  ' + k + ': ')}" for k, v in self.steps__.items()
        )
        return "{\n  " + inner + "\n}"


RunnableMap = RunnableParallel
