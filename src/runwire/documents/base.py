"""`Document`: a piece of text and its metadata, with langchain-core's constructor, repr and str.

A plain slotted class (no pydantic): `Document("text", metadata={...}, id=...)`, equality by
value, `repr` showing the fields langchain-core shows (`id` only when set) and `str` the
`page_content='...' metadata={...}` form that prompts have always received.
"""

from __future__ import annotations

from typing import Any, ClassVar


class BaseMedia:
    """Base of retrieval content: an optional `id` and a `metadata` dict."""

    __slots__ = ("id", "metadata")

    id: str | None
    metadata: dict[str, Any]


class Document(BaseMedia):
    """A piece of text (`page_content`) and its `metadata`, e.g. from a retriever."""

    __slots__ = ("page_content",)
    type: ClassVar[str] = "Document"

    def __init__(
        self, page_content: str, *, metadata: dict[str, Any] | None = None, id: Any = None, **kwargs: Any
    ) -> None:
        if kwargs.pop("type", "Document") != "Document" or kwargs:
            raise TypeError(
                f"Document takes page_content, metadata and id; got unexpected {sorted(kwargs) or ['type']}."
            )
        if not isinstance(page_content, str):
            raise TypeError(
                "Document page_content must be a str, got "
                f"{type(page_content).__name__}: {page_content!r:.80}"
            )
        self.page_content = page_content
        self.metadata = {} if metadata is None else metadata
        self.id = None if id is None else str(id)  # langchain coerces numbers to str

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Document):
            return NotImplemented
        return (self.page_content, self.metadata, self.id) == (other.page_content, other.metadata, other.id)

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value

    def __repr__(self) -> str:
        head = f"id={self.id!r}, " if self.id is not None else ""
        return f"Document({head}metadata={self.metadata!r}, page_content={self.page_content!r})"

    def __str__(self) -> str:
        if self.metadata:
            return f"page_content='{self.page_content}' metadata={self.metadata}"
        return f"page_content='{self.page_content}'"

    def model_dump(self) -> dict[str, Any]:
        """The fields as a dict (as pydantic's `model_dump`)."""
        return {
            "id": self.id,
            "metadata": self.metadata,
            "page_content": self.page_content,
            "type": "Document",
        }

    def __reduce__(self) -> Any:
        return (_rebuild, (self.page_content, self.metadata, self.id))


def _rebuild(page_content: str, metadata: dict[str, Any], id: str | None) -> Document:
    return Document(page_content, metadata=metadata, id=id)
