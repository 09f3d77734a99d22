"""LangChain objects inside a runwire chain, one event tree.

A langchain-core retriever (an InMemoryVectorStore) feeds a runwire prompt and model; a runwire
handler passed at run time prints every run indented under its parent, the langchain retriever
included. Swap the fake model for `langchain_openai.ChatOpenAI(...)` (any langchain chat model)
and it is wrapped the same way. Needs `pip install "runwire[langchain]"`.
"""

from typing import Any
from uuid import UUID

from langchain_core.documents import Document
from langchain_core.embeddings import DeterministicFakeEmbedding
from langchain_core.vectorstores import InMemoryVectorStore

from runwire.callbacks import BaseCallbackHandler
from runwire.interop.langchain import from_langchain
from runwire.language_models import FakeListChatModel
from runwire.output_parsers import StrOutputParser
from runwire.prompts import ChatPromptTemplate


class Indent(BaseCallbackHandler):
    """Prints each run's name, indented by its depth in the tree."""

    def __init__(self) -> None:
        self.depth: dict[UUID, int] = {}

    def _start(self, kind: str, name: Any, run_id: UUID, parent_run_id: UUID | None) -> None:
        depth = self.depth.get(parent_run_id, -1) + 1 if parent_run_id else 0
        self.depth[run_id] = depth
        print(f"{'  ' * depth}{kind} {name}")

    def on_chain_start(self, serialized: Any, inputs: Any, **kw: Any) -> None:
        self._start("chain", kw.get("name"), kw["run_id"], kw.get("parent_run_id"))

    def on_retriever_start(self, serialized: Any, query: str, **kw: Any) -> None:
        self._start("retriever", kw.get("name"), kw["run_id"], kw.get("parent_run_id"))

    def on_chat_model_start(self, serialized: Any, messages: Any, **kw: Any) -> None:
        self._start("chat model", kw.get("name"), kw["run_id"], kw.get("parent_run_id"))


store = InMemoryVectorStore(DeterministicFakeEmbedding(size=16))
store.add_documents([Document("runwire is a callback runtime."), Document("Cats purr.")])
retriever = store.as_retriever(search_kwargs={"k": 1})

chain = (
    # langchain's own `|` knows only langchain runnables, so the first step is wrapped by hand;
    # later langchain steps (e.g. a ChatOpenAI) are wrapped by runwire's `|` automatically.
    from_langchain(retriever)
    | (lambda docs: {"context": docs[0].page_content})
    | ChatPromptTemplate.from_template("Answer from this context: {context}")
    | FakeListChatModel(responses=["runwire is a callback runtime."])
    | StrOutputParser()
)

if __name__ == "__main__":
    print(chain.invoke("What is runwire?", {"callbacks": [Indent()]}))
