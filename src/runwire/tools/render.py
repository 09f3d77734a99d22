"""Tools rendered as text, for prompts of agents that do not use native tool calling."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def _head(tool: Any) -> str:
    func = getattr(tool, "func", None)
    if func:
        from inspect import signature

        return f"{tool.name}{signature(func)} - {tool.description}"
    return f"{tool.name} - {tool.description}"


def render_text_description(tools: list[Any]) -> str:
    """One line per tool: `name(signature) - description`."""
    return "\n".join(_head(tool) for tool in tools)


def render_text_description_and_args(tools: list[Any]) -> str:
    """One line per tool: `name(signature) - description, args: {...}`."""
    return "\n".join(f"{_head(tool)}, args: {tool.args}" for tool in tools)


ToolsRenderer = Callable[[list[Any]], str]
