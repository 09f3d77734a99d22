"""`format_document`: one document as text through a prompt template (what RAG chains use to
put retrieved documents into a prompt). The template may use `page_content` and any metadata
key. Not here: templates themselves."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from runwire.documents import Document


def _document_info(doc: Document, prompt: Any) -> dict[str, Any]:
    info = {"page_content": doc.page_content, **doc.metadata}
    missing = set(prompt.input_variables).difference(info)
    if missing:
        required = [name for name in prompt.input_variables if name != "page_content"]
        raise ValueError(
            f"Document prompt requires documents to have metadata variables: {required}. "
            f"Received document with missing metadata: {list(missing)}."
        )
    return {name: info[name] for name in prompt.input_variables}


def format_document(doc: Document, prompt: Any) -> str:
    """`prompt` formatted with the document's `page_content` and metadata, e.g.
    `format_document(doc, PromptTemplate.from_template("Page {page}: {page_content}"))`."""
    return str(prompt.format(**_document_info(doc, prompt)))


async def aformat_document(doc: Document, prompt: Any) -> str:
    """Async `format_document`."""
    return str(await prompt.aformat(**_document_info(doc, prompt)))
