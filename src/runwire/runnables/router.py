"""RouterRunnable: run one of several runnables, chosen by the input's `key`.

The input is `{"key": name, "input": value}` (a `RouterInput`); `runnables[name]` is invoked on
`value` as a child of the router's run. Not here: condition-based choice (`RunnableBranch`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

from runwire.runnables.base import Runnable, coerce_to_runnable
from runwire.runnables.config import RunnableConfig, child_config
from runwire.runnables.schema import unique_config_specs


class RouterInput(TypedDict):
    """The input of a RouterRunnable: which runnable (`key`) and what to give it (`input`)."""

    key: str
    input: Any


class RouterRunnable(Runnable[RouterInput, Any]):
    """`RouterRunnable({"a": r1, "b": r2}).invoke({"key": "a", "input": x})` is `r1.invoke(x)`."""

    def __init__(self, runnables: Mapping[str, Any]) -> None:
        self.runnables: dict[str, Runnable[Any, Any]] = {
            k: coerce_to_runnable(r) for k, r in runnables.items()
        }

    def get_input_schema(self, config: RunnableConfig | None = None) -> Any:
        # pydantic needs typing_extensions' TypedDict before Python 3.12; built only when asked.
        from typing_extensions import TypedDict as SchemaTypedDict

        from runwire.runnables.schema import create_model

        class RouterInput(SchemaTypedDict):
            """The input of a RouterRunnable: which runnable (`key`) and what to give it (`input`)."""

            key: str
            input: Any

        return create_model(self.get_name("Input"), root=RouterInput)

    @property
    def config_specs(self) -> list[Any]:
        return unique_config_specs(spec for step in self.runnables.values() for spec in step.config_specs)

    def _choose(self, input: RouterInput) -> tuple[Runnable[Any, Any], Any]:
        key = input["key"]
        if key not in self.runnables:
            raise ValueError(f"No runnable associated with key '{key}'")
        return self.runnables[key], input["input"]

    def _invoke(self, input: Any, config: RunnableConfig | None, run: Any, **kwargs: Any) -> Any:
        runnable, actual = self._choose(input)
        return runnable.invoke(actual, child_config(config, run))

    async def _ainvoke(self, input: Any, config: RunnableConfig | None, run: Any, **kwargs: Any) -> Any:
        runnable, actual = self._choose(input)
        return await runnable.ainvoke(actual, child_config(config, run))
