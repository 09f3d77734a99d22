"""The seed example: pass a callback handler at run time and every nested run reports to it.

This is langchain's "How to pass callbacks in at runtime" page with only the imports changed,
run on the embedded local model (llama.cpp + SmolLM2-135M: no key, no network), followed by a
short streamed answer whose token events a second handler prints. Swap in
`ChatAnthropic(model="claude-3-sonnet-20240229")` to run it against Anthropic. With `--fake` it
runs on a scripted fake model instead (what the langchain-core side-by-side test uses).
"""

import sys
from typing import Any

from runwire.callbacks import BaseCallbackHandler
from runwire.chat_models import ChatLlamaCpp
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


class TokenPrinter(BaseCallbackHandler):
    """Prints each streamed token as its event arrives."""

    def on_llm_new_token(self, token: str, **kwargs: Any) -> None:
        if token:  # the stream's last event carries only the finish reason
            print(f"  on_llm_new_token {token!r}", flush=True)


def main(fake: bool) -> None:
    callbacks = [LoggingHandler()]
    llm = FakeListChatModel(responses=["1 + 2 = 3"]) if fake else ChatLlamaCpp(temperature=0, max_tokens=64)
    prompt = ChatPromptTemplate.from_template("What is 1 + {number}?")

    chain = prompt | llm

    result = chain.invoke({"number": "2"}, config={"callbacks": callbacks})
    print()
    print(repr(result))
    if fake:
        return

    question = "Name three primary colors."
    print()
    print(f"Streaming {question!r}:")
    stream = llm.stream(question, config={"callbacks": [TokenPrinter()]}, max_tokens=24)
    answer = "".join(str(chunk.content) for chunk in stream)
    print(f"Streamed answer: {answer!r}")


if __name__ == "__main__":
    main(fake="--fake" in sys.argv[1:])
