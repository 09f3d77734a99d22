"""Retrieval-augmented generation on the embedded models, with a handler printing every event.

Documents are embedded by `LlamaCppEmbeddings` and kept in an `InMemoryVectorStore`; the
store's retriever finds the two closest to the question, `format_document` renders them into
the prompt, and `ChatLlamaCpp` answers. Both models are the local SmolLM2-135M GGUF (no key,
no network). It is the langchain-core RAG program with only the imports changed (plus the two
local models, which are langchain_community's `LlamaCppEmbeddings` and `ChatLlamaCpp` there).

    .venv/bin/python examples/rag_local.py ["your question"]
"""

import sys
from typing import Any

from runwire.callbacks import BaseCallbackHandler
from runwire.chat_models import ChatLlamaCpp
from runwire.documents import Document
from runwire.embeddings import LlamaCppEmbeddings
from runwire.output_parsers import StrOutputParser
from runwire.prompts import ChatPromptTemplate, PromptTemplate, format_document
from runwire.runnables import RunnableLambda, RunnablePassthrough
from runwire.vectorstores import InMemoryVectorStore

DOCUMENTS = [
    Document("Paris is the capital and largest city of France.", metadata={"source": "geography"}),
    Document("The Eiffel Tower in Paris was completed in 1889.", metadata={"source": "history"}),
    Document("Honey bees communicate by dancing.", metadata={"source": "biology"}),
    Document("Python was created by Guido van Rossum.", metadata={"source": "computing"}),
    Document("The Pacific is the largest ocean on Earth.", metadata={"source": "geography"}),
]


class PrintEvents(BaseCallbackHandler):
    """Prints every event it hears, indented by its run's depth."""

    def __init__(self) -> None:
        self.depth: dict[Any, int] = {}

    def _start(self, event: str, name: str, kwargs: dict[str, Any], detail: str = "") -> None:
        depth = self.depth.get(kwargs.get("parent_run_id"), -1) + 1
        self.depth[kwargs["run_id"]] = depth
        print(f"{'  ' * depth}{event} {name}{detail}", flush=True)

    def _end(self, event: str, kwargs: dict[str, Any], detail: str = "") -> None:
        print(f"{'  ' * self.depth.get(kwargs['run_id'], 0)}{event}{detail}", flush=True)

    def on_chain_start(self, serialized: Any, inputs: Any, **kwargs: Any) -> None:
        self._start("on_chain_start", kwargs.get("name") or serialized.get("name"), kwargs)

    def on_chain_end(self, outputs: Any, **kwargs: Any) -> None:
        self._end("on_chain_end", kwargs)

    def on_chain_error(self, error: BaseException, **kwargs: Any) -> None:
        self._end("on_chain_error", kwargs, f" {error!r}")

    def on_retriever_start(self, serialized: Any, query: str, **kwargs: Any) -> None:
        self._start("on_retriever_start", kwargs.get("name") or "retriever", kwargs, f" query={query!r}")

    def on_retriever_end(self, documents: Any, **kwargs: Any) -> None:
        found = [doc.page_content for doc in documents]
        self._end("on_retriever_end", kwargs, f" documents={found!r}")

    def on_retriever_error(self, error: BaseException, **kwargs: Any) -> None:
        self._end("on_retriever_error", kwargs, f" {error!r}")

    def on_chat_model_start(self, serialized: Any, messages: Any, **kwargs: Any) -> None:
        self._start("on_chat_model_start", kwargs.get("name") or "chat model", kwargs)

    def on_llm_new_token(self, token: str, **kwargs: Any) -> None:
        self._end("on_llm_new_token", kwargs, f" {token!r}")

    def on_llm_end(self, response: Any, **kwargs: Any) -> None:
        self._end("on_llm_end", kwargs, f" text={response.generations[0][0].text!r}")

    def on_llm_error(self, error: BaseException, **kwargs: Any) -> None:
        self._end("on_llm_error", kwargs, f" {error!r}")


def format_docs(documents: list[Document]) -> str:
    template = PromptTemplate.from_template("[{source}] {page_content}")
    return "\n".join(format_document(doc, template) for doc in documents)


def main(question: str) -> None:
    store = InMemoryVectorStore(LlamaCppEmbeddings())
    store.add_documents(DOCUMENTS)
    retriever = store.as_retriever(search_kwargs={"k": 2})
    prompt = ChatPromptTemplate.from_messages(
        [
            ("system", "Answer in one short sentence, using only this context:\n{context}"),
            ("human", "{question}"),
        ]
    )
    model = ChatLlamaCpp(temperature=0, max_tokens=40)
    chain = (
        {"context": retriever | RunnableLambda(format_docs), "question": RunnablePassthrough()}
        | prompt
        | model
        | StrOutputParser()
    )
    answer = chain.invoke(question, config={"callbacks": [PrintEvents()]})
    print()
    print(f"Answer: {answer!r}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "What is the capital of France?")
