"""`langchain_core.prompts.dict`'s import path: `DictPromptTemplate` lives in `content`."""

from runwire.prompts.content import DictPromptTemplate

__all__ = ["DictPromptTemplate"]
