"""Markers for tool arguments the runtime supplies instead of the model.

`Annotated[str, InjectedToolArg]` keeps an argument out of the schema the model sees and out of
callback `inputs`; the caller passes it in the input dict. `InjectedToolCallId` is filled with
the id of the ToolCall the tool was invoked with. Plain classes, so importing them costs nothing.
"""

from __future__ import annotations


class InjectedToolArg:
    """Annotation for a tool argument injected at run time (hidden from the model)."""


class InjectedToolCallId(InjectedToolArg):
    """Annotation for a tool argument that receives the id of the ToolCall being answered."""
