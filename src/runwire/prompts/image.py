"""`langchain_core.prompts.image`'s import path: `ImagePromptTemplate` lives in `content`."""

from runwire.prompts.content import ImagePromptTemplate

__all__ = ["ImagePromptTemplate"]
