"""`langchain_core.output_parsers.format_instructions`'s import path for the JSON instructions."""

from runwire.output_parsers.json import JSON_FORMAT_INSTRUCTIONS

__all__ = ["JSON_FORMAT_INSTRUCTIONS"]
