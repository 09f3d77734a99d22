"""`langchain_core.output_parsers.transform`'s import path for the streaming parser bases."""

from runwire.output_parsers.base import BaseCumulativeTransformOutputParser, BaseTransformOutputParser

__all__ = ["BaseCumulativeTransformOutputParser", "BaseTransformOutputParser"]
