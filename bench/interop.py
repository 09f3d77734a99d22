"""What the LangChain bridge costs: a langchain-core chain run inside a runwire chain vs the same
chain run alone under langchain-core, with one handler; and the silent runwire path with
langchain-core loaded vs not.

    .venv/bin/python bench/interop.py [--quick]

The langchain chain = langchain-core's ChatPromptTemplate | GenericFakeChatModel |
StrOutputParser. Rows (per-call medians, bench/_timing.py: loops of ~200 ms, 7 repeats):
* langchain alone: `lc_chain.invoke(x, {"callbacks": [handler]})`, the handler a langchain-core
  BaseCallbackHandler listening to chain/chat-model starts and ends (doing nothing).
* inside runwire: `(runwire RunnableLambda(identity) | lc_chain).invoke(...)`, the same handler
  passed to runwire: runwire's sequence and lambda runs, plus building a langchain
  CallbackManager for the langchain step and converting its output to runwire objects.
  The difference over "alone" is the boundary (and the two extra runwire runs).
* runwire silent, langchain-core loaded / not loaded: the no-handler runwire chain; the
  not-loaded row runs in a fresh process that never imports langchain-core.
"""

from __future__ import annotations

import argparse
import itertools
import subprocess
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import FULL, QUICK, Settings, per_call

INPUT = {"number": "2"}

SILENT = """
import sys, itertools
sys.path.insert(0, {src!r}); sys.path.insert(0, {bench!r})
from _timing import {settings} as S, per_call
from runwire.language_models import GenericFakeChatModel
from runwire.output_parsers import StrOutputParser
from runwire.prompts import ChatPromptTemplate
{preload}
chain = (ChatPromptTemplate.from_template("What is 1 + {{number}}?")
         | GenericFakeChatModel(messages=itertools.repeat("The answer is 3.")) | StrOutputParser())
r = per_call(lambda: chain.invoke({{"number": "2"}}), S)
assert ("langchain_core" in sys.modules) == {loaded}
print(r["wall"], r["cpu"])
"""


def lc_chain() -> Any:
    from langchain_core.language_models import GenericFakeChatModel
    from langchain_core.output_parsers import StrOutputParser
    from langchain_core.prompts import ChatPromptTemplate

    return (
        ChatPromptTemplate.from_template("What is 1 + {number}?")
        | GenericFakeChatModel(messages=itertools.repeat("The answer is 3."))
        | StrOutputParser()
    )


def handler() -> Any:
    from langchain_core.callbacks import BaseCallbackHandler

    class NoOp(BaseCallbackHandler):
        def on_chain_start(self, serialized: Any, inputs: Any, **kwargs: Any) -> None:
            pass

        def on_chain_end(self, outputs: Any, **kwargs: Any) -> None:
            pass

        def on_chat_model_start(self, serialized: Any, messages: Any, **kwargs: Any) -> None:
            pass

        def on_llm_end(self, response: Any, **kwargs: Any) -> None:
            pass

    return NoOp()


def silent(settings: str, loaded: bool) -> dict[str, float]:
    here = Path(__file__).resolve().parent
    code = SILENT.format(
        src=str(here.parent / "src"),
        bench=str(here),
        settings=settings,
        preload="import langchain_core.runnables" if loaded else "",
        loaded=loaded,
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    wall, cpu = out.stdout.split()
    return {"wall": float(wall), "cpu": float(cpu)}


def us(result: dict[str, Any]) -> str:
    return f"{result['wall'] / 1000:8.1f} µs ({result['cpu'] / 1000:7.1f} cpu)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer, shorter repeats")
    args = parser.parse_args()
    settings: Settings = QUICK if args.quick else FULL
    name = "QUICK" if args.quick else "FULL"

    from runwire.interop.langchain import from_langchain
    from runwire.runnables import RunnableLambda

    lc = lc_chain()
    bridged = RunnableLambda(lambda x: x) | from_langchain(lc_chain())
    h = handler()
    config = {"callbacks": [h]}
    assert lc.invoke(INPUT, config) == bridged.invoke(INPUT, config) == "The answer is 3."
    alone = per_call(lambda: lc.invoke(INPUT, config), settings)
    inside = per_call(lambda: bridged.invoke(INPUT, config), settings)
    bare = per_call(lambda: bridged.invoke(INPUT), settings)
    not_loaded = silent(name, loaded=False)
    loaded = silent(name, loaded=True)
    print("| what | per call | vs langchain alone |")
    print("| --- | --- | --- |")
    print(f"| langchain chain alone, 1 handler | {us(alone)} | 1.00x |")
    print(f"| same chain inside runwire, 1 handler | {us(inside)} | {inside['wall'] / alone['wall']:.2f}x |")
    print(f"| same chain inside runwire, no handler | {us(bare)} | {bare['wall'] / alone['wall']:.2f}x |")
    print(f"| runwire chain (a), no handler, langchain-core not loaded | {us(not_loaded)} | |")
    print(f"| runwire chain (a), no handler, langchain-core loaded | {us(loaded)} | |")


if __name__ == "__main__":
    main()
