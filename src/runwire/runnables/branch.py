"""RunnableBranch: the first branch whose condition is true runs, else the default."""

from __future__ import annotations

from typing import Any

from runwire.runnables.base import Input, Output, Runnable, coerce_to_runnable
from runwire.runnables.config import RunnableConfig, child_config


class RunnableBranch(Runnable[Input, Output]):
    """`RunnableBranch((cond1, r1), (cond2, r2), default)`. Conditions run as children tagged
    `condition:N`, the chosen branch as `branch:N` (or `branch:default`)."""

    def __init__(self, *branches: Any) -> None:
        if len(branches) < 2:
            raise ValueError(
                "RunnableBranch requires at least two branches: (condition, runnable) pairs, then "
                "the default runnable."
            )
        *pairs, default = branches
        self.branches: list[tuple[Runnable[Input, bool], Runnable[Input, Output]]] = []
        for pair in pairs:
            if not isinstance(pair, (tuple, list)):
                raise TypeError(
                    f"RunnableBranch branches must be tuples or lists, not {type(pair)}: each branch is "
                    "a (condition, runnable) pair; the last argument is the default runnable."
                )
            if len(pair) != 2:
                raise ValueError(
                    f"RunnableBranch branches must be tuples or lists of length 2, not {len(pair)}: "
                    "each branch is a (condition, runnable) pair."
                )
            self.branches.append((coerce_to_runnable(pair[0]), coerce_to_runnable(pair[1])))
        self.default: Runnable[Input, Output] = coerce_to_runnable(default)

    def _children(self) -> list[Runnable[Any, Any]]:
        return [self.default, *(r for _, r in self.branches), *(c for c, _ in self.branches)]

    def get_input_schema(self, config: RunnableConfig | None = None) -> Any:
        for runnable in self._children():  # the first child whose input has a known type
            if runnable.get_input_jsonschema(config).get("type") is not None:
                return runnable.get_input_schema(config)
        return super().get_input_schema(config)

    @property
    def config_specs(self) -> list[Any]:
        from runwire.runnables.schema import unique_config_specs

        return unique_config_specs(spec for step in self._children() for spec in step.config_specs)

    def _invoke(self, input: Any, config: RunnableConfig | None, run: Any, **kwargs: Any) -> Any:
        for index, (condition, branch) in enumerate(self.branches, 1):
            if condition.invoke(input, child_config(config, run, f"condition:{index}")):
                return branch.invoke(input, child_config(config, run, f"branch:{index}"), **kwargs)
        return self.default.invoke(input, child_config(config, run, "branch:default"), **kwargs)

    async def _ainvoke(self, input: Any, config: RunnableConfig | None, run: Any, **kwargs: Any) -> Any:
        for index, (condition, branch) in enumerate(self.branches, 1):
            if await condition.ainvoke(input, child_config(config, run, f"condition:{index}")):
                return await branch.ainvoke(input, child_config(config, run, f"branch:{index}"), **kwargs)
        return await self.default.ainvoke(input, child_config(config, run, "branch:default"), **kwargs)

    def __repr__(self) -> str:
        return f"RunnableBranch(branches={self.branches!r}, default={self.default!r})"
