"""The rarer half of the Runnable interface: configurable fields and alternatives, listeners,
graphs and `as_tool` (a base class of `Runnable`).

Each method imports its implementation on first use, so none of it costs anything at import
or on the per-call path. Not here: the implementations (`configurable`, `listeners`, `graph`,
`as_tool` modules).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from runwire.runnables.base import Runnable
    from runwire.runnables.binding import RunnableBinding
    from runwire.runnables.config import RunnableConfig
    from runwire.runnables.configurable import RunnableConfigurableAlternatives, RunnableConfigurableFields
    from runwire.runnables.graph import Graph
    from runwire.runnables.utils import AnyConfigurableField


class RunnableExtras:
    """Configurable variants, listeners, graphs and tools made from a runnable."""

    def configurable_fields(self, **kwargs: AnyConfigurableField) -> RunnableConfigurableFields[Any, Any]:
        """A runnable whose named attributes can be set at run time from `config["configurable"]`:
        `model.configurable_fields(temperature=ConfigurableField(id="temp"))`."""
        from runwire.runnables.configurable import configurable_fields

        return configurable_fields(cast("Runnable[Any, Any]", self), kwargs)

    def configurable_alternatives(
        self,
        which: Any,
        *,
        default_key: str = "default",
        prefix_keys: bool = False,
        **kwargs: Any,
    ) -> RunnableConfigurableAlternatives[Any, Any]:
        """A runnable that is this one, or one of `kwargs`' alternatives chosen at run time by
        `config["configurable"][which.id]`."""
        from runwire.runnables.configurable import RunnableConfigurableAlternatives

        return RunnableConfigurableAlternatives(
            which=which,
            default=cast("Runnable[Any, Any]", self),
            alternatives=kwargs,
            default_key=default_key,
            prefix_keys=prefix_keys,
        )

    def with_listeners(
        self,
        *,
        on_start: Callable[..., None] | None = None,
        on_end: Callable[..., None] | None = None,
        on_error: Callable[..., None] | None = None,
    ) -> RunnableBinding[Any, Any]:
        """Call `on_start(run)` / `on_end(run)` / `on_error(run)` (optionally `(run, config)`)
        around each run of this runnable, with a `Run` holding its inputs, outputs and error."""
        from runwire.runnables.listeners import with_listeners

        return with_listeners(
            cast("Runnable[Any, Any]", self), on_start, on_end, on_error, asynchronous=False
        )

    def with_alisteners(
        self,
        *,
        on_start: Callable[..., Any] | None = None,
        on_end: Callable[..., Any] | None = None,
        on_error: Callable[..., Any] | None = None,
    ) -> RunnableBinding[Any, Any]:
        """`with_listeners` with async listeners (awaited under `ainvoke`)."""
        from runwire.runnables.listeners import with_listeners

        return with_listeners(cast("Runnable[Any, Any]", self), on_start, on_end, on_error, asynchronous=True)

    def get_graph(self, config: RunnableConfig | None = None) -> Graph:
        """This runnable's structure as a graph of nodes and edges (`draw_ascii`, `draw_mermaid`)."""
        from runwire.runnables.graph import graph_of

        return graph_of(cast("Runnable[Any, Any]", self), config)

    def get_prompts(self, config: RunnableConfig | None = None) -> list[Any]:
        """The prompt templates in this runnable's graph."""
        from runwire.prompts.base import BasePromptTemplate

        return [
            node.data
            for node in self.get_graph(config).nodes.values()
            if isinstance(node.data, BasePromptTemplate)
        ]

    def as_tool(
        self,
        args_schema: Any = None,
        *,
        name: str | None = None,
        description: str | None = None,
        arg_types: dict[str, type] | None = None,
    ) -> Any:
        """This runnable as a `StructuredTool` (dict inputs) or `Tool` (string input)."""
        from runwire.runnables.as_tool import as_tool

        return as_tool(
            cast("Runnable[Any, Any]", self),
            args_schema=args_schema,
            name=name,
            description=description,
            arg_types=arg_types,
        )
