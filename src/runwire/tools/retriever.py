"""`create_retriever_tool`: a retriever as a tool whose output is the documents found, as text.

Same signature and output as langchain-core's: the model passes `query`, the tool invokes the
retriever (its run nests under the tool run) and joins the documents formatted with
`document_prompt` (default `{page_content}`); `response_format="content_and_artifact"` also
returns the documents as the ToolMessage's artifact. Imports pydantic (for `RetrieverInput`);
`runwire.tools` loads this module only when one of its names is used.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from runwire.tools.structured import StructuredTool


class RetrieverInput(BaseModel):
    """Input to the retriever."""

    query: str = Field(description="query to look up in retriever")


def _format_document(doc: Any, prompt: Any) -> str:
    """`prompt` filled from the document's `page_content` and metadata (langchain-core's rule)."""
    info = {"page_content": doc.page_content, **doc.metadata}
    missing = [name for name in prompt.input_variables if name not in info]
    if missing:
        required = [name for name in prompt.input_variables if name != "page_content"]
        raise ValueError(
            f"Document prompt requires documents to have metadata variables: {required}. "
            f"Received document with missing metadata: {missing}."
        )
    return str(prompt.format(**{name: info[name] for name in prompt.input_variables}))


def create_retriever_tool(
    retriever: Any,
    name: str,
    description: str,
    *,
    document_prompt: Any = None,
    document_separator: str = "\n\n",
    response_format: Literal["content", "content_and_artifact"] = "content",
) -> StructuredTool:
    """A tool that looks `query` up in `retriever` and returns the documents as one text."""
    if document_prompt is None:
        from runwire.prompts import PromptTemplate

        document_prompt = PromptTemplate.from_template("{page_content}")

    def render(docs: list[Any]) -> Any:
        content = document_separator.join(_format_document(doc, document_prompt) for doc in docs)
        return (content, docs) if response_format == "content_and_artifact" else content

    def func(query: str, callbacks: Any = None) -> Any:
        return render(retriever.invoke(query, config={"callbacks": callbacks}))

    async def afunc(query: str, callbacks: Any = None) -> Any:
        return render(await retriever.ainvoke(query, config={"callbacks": callbacks}))

    return StructuredTool(
        name=name,
        description=description,
        func=func,
        coroutine=afunc,
        args_schema=RetrieverInput,
        response_format=response_format,
    )
