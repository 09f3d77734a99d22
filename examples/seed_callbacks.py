"""The seed example: pass a callback handler at run time and every nested run reports to it.

This is langchain's "How to pass callbacks in at runtime" page with only the imports changed.
It runs on a scripted fake chat model (no key, no network) until the embedded local model lands;
swap in `ChatAnthropic(model="claude-3-sonnet-20240229")` to run it against Anthropic.
"""

from typing import Any

from runwire.callbacks import BaseCallbackHandler
from runwire.language_models import FakeListChatModel
from runwire.messages import BaseMessage
from runwire.outputs import LLMResult
from runwire.prompts import ChatPromptTemplate


class LoggingHandler(BaseCallbackHandler):
    def on_chat_model_start(
        self, serialized: dict[str, Any], messages: list[list[BaseMessage]], **kwargs: Any
    ) -> None:
        print("Chat model started")

    def on_llm_end(self, response: LLMResult, **kwargs: Any) -> None:
        print(f"Chat model ended, response: {response}")

    def on_chain_start(self, serialized: dict[str, Any], inputs: dict[str, Any], **kwargs: Any) -> None:
        print(f"Chain {serialized.get('name')} started")

    def on_chain_end(self, outputs: dict[str, Any], **kwargs: Any) -> None:
        print(f"Chain ended, outputs: {outputs}")


def main() -> None:
    callbacks = [LoggingHandler()]
    llm = FakeListChatModel(responses=["1 + 2 = 3"])
    prompt = ChatPromptTemplate.from_template("What is 1 + {number}?")

    chain = prompt | llm

    result = chain.invoke({"number": "2"}, config={"callbacks": callbacks})
    print()
    print(repr(result))


if __name__ == "__main__":
    main()
