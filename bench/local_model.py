"""runwire's overhead on the embedded local model: `ChatLlamaCpp` next to raw
`llama_cpp.Llama.create_chat_completion` on the same loaded model, prompt and token count.

Temperature 0 makes both sides generate the same tokens; calls alternate (raw, runwire, ...)
so that a noisy neighbour hits both; the figure is the median per call. Target: ≤ 5% overhead.
Generation time is noisy on a shared machine, so runwire's own cost is also measured exactly:
the same calls against a replay of the recorded llama.cpp output (no generation at all).

    .venv/bin/python bench/local_model.py [--repeats 15] [--max-tokens 64]
"""

from __future__ import annotations

import argparse
import copy
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

from runwire.callbacks import BaseCallbackHandler
from runwire.chat_models import ChatLlamaCpp, llamacpp

PROMPT = "Write a short paragraph about the ocean."


class Seed(BaseCallbackHandler):
    """The seed page's handler shape, silent: what a listening caller costs."""

    def on_chat_model_start(self, serialized: Any, messages: Any, **kwargs: Any) -> None:
        pass

    def on_llm_end(self, response: Any, **kwargs: Any) -> None:
        pass

    def on_llm_new_token(self, token: str, **kwargs: Any) -> None:
        pass


class Replay:
    """Stands in for `Llama`: returns recorded output instantly, so only runwire's work is timed."""

    def __init__(self, body: dict[str, Any], chunks: list[dict[str, Any]]) -> None:
        self.body, self.chunks = body, chunks

    def create_chat_completion(self, messages: Any, stream: bool = False, **kwargs: Any) -> Any:
        if stream:
            return iter(copy.deepcopy(self.chunks))
        return copy.deepcopy(self.body)


def _replay_model(model: ChatLlamaCpp, replay: Replay) -> ChatLlamaCpp:
    twin = ChatLlamaCpp(temperature=0, max_tokens=model.max_tokens, n_ctx=model.n_ctx + 1)
    assert twin.model_path is not None
    llamacpp._LOADED[(twin.model_path, twin.n_ctx, None, None)] = llamacpp._Loaded(replay)
    return twin


def _per_call_us(call: Callable[[], Any], repeats: int = 200) -> float:
    call()
    start = time.perf_counter()
    for _ in range(repeats):
        call()
    return 1e6 * (time.perf_counter() - start) / repeats


def _timed(call: Callable[[], int]) -> tuple[float, int]:
    start = time.perf_counter()
    tokens = call()
    return time.perf_counter() - start, tokens


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--max-tokens", type=int, default=64)
    options = parser.parse_args()

    model = ChatLlamaCpp(temperature=0, max_tokens=options.max_tokens)
    llama = model.client
    messages = [{"role": "user", "content": PROMPT}]
    handler: Any = {"callbacks": [Seed()]}

    def raw() -> int:
        body = llama.create_chat_completion(messages, temperature=0, max_tokens=options.max_tokens)
        return int(body["usage"]["completion_tokens"])

    def raw_stream() -> int:
        stream = llama.create_chat_completion(
            messages, temperature=0, max_tokens=options.max_tokens, stream=True
        )
        return sum(1 for chunk in stream if chunk["choices"][0]["delta"].get("content"))

    def ours() -> int:
        usage = model.invoke(PROMPT).usage_metadata
        return usage["output_tokens"] if usage else 0

    def ours_handler() -> int:
        usage = model.invoke(PROMPT, config=handler).usage_metadata
        return usage["output_tokens"] if usage else 0

    def ours_stream() -> int:
        return sum(1 for chunk in model.stream(PROMPT, config=handler) if chunk.content)

    cases = {
        "raw create_chat_completion": raw,
        "ChatLlamaCpp.invoke": ours,
        "ChatLlamaCpp.invoke + handler": ours_handler,
        "raw create_chat_completion(stream=True)": raw_stream,
        "ChatLlamaCpp.stream + token handler": ours_stream,
    }
    for call in cases.values():  # warm-up: prompt cache, allocator, first-call costs
        call()
    times: dict[str, list[float]] = {name: [] for name in cases}
    tokens: dict[str, int] = {}
    for _ in range(options.repeats):
        for name, call in cases.items():
            seconds, count = _timed(call)
            times[name].append(seconds)
            tokens[name] = count

    load = os.getloadavg()[0]
    shape = f"{options.max_tokens} max tokens, {options.repeats} alternating repeats"
    print(f"SmolLM2-135M Q4_1, {shape}, load average {load:.2f}")
    print(f"prompt: {PROMPT!r}\n")
    print(f"| {'case':<40} | tokens | median ms | tokens/s | overhead vs raw |")
    print(f"| {'-' * 40} | -----: | --------: | -------: | --------------: |")
    baseline = {"invoke": statistics.median(times["raw create_chat_completion"])}
    baseline["stream"] = statistics.median(times["raw create_chat_completion(stream=True)"])
    for name, samples in times.items():
        median = statistics.median(samples)
        base = baseline["stream" if "stream" in name else "invoke"]
        overhead = f"{100 * (median - base) / base:+.1f}%" if not name.startswith("raw") else "-"
        rate = tokens[name] / median
        print(f"| {name:<40} | {tokens[name]:>6} | {1000 * median:>9.1f} | {rate:>8.1f} | {overhead:>15} |")
    replay_section(model, options, {k: 1000 * v for k, v in baseline.items()})


def replay_section(model: ChatLlamaCpp, options: argparse.Namespace, generation_ms: dict[str, float]) -> None:
    """runwire's own cost per call, measured against a replay of llama.cpp's output."""
    messages = [{"role": "user", "content": PROMPT}]
    llama = model.client
    with llamacpp._LOADED[(model.model_path, model.n_ctx, None, None)].lock:
        body = llama.create_chat_completion(messages, temperature=0, max_tokens=options.max_tokens)
        chunks = list(
            llama.create_chat_completion(messages, temperature=0, max_tokens=options.max_tokens, stream=True)
        )
    twin = _replay_model(model, Replay(body, chunks))
    handler: Any = {"callbacks": [Seed()]}
    copy_us = _per_call_us(lambda: copy.deepcopy(chunks))  # the replay's own cost, subtracted
    rows = [
        (
            "invoke",
            "invoke",
            _per_call_us(lambda: twin.invoke(PROMPT)) - _per_call_us(lambda: copy.deepcopy(body)),
        ),
        (
            "invoke + handler",
            "invoke",
            _per_call_us(lambda: twin.invoke(PROMPT, config=handler))
            - _per_call_us(lambda: copy.deepcopy(body)),
        ),
        (
            "stream + token handler",
            "stream",
            _per_call_us(lambda: list(twin.stream(PROMPT, config=handler))) - copy_us,
        ),
    ]
    print(f"\nrunwire's own work per call (replayed llama.cpp output, {len(chunks)} stream chunks):\n")
    print(f"| {'case':<24} | runwire µs/call | share of a {options.max_tokens}-token generation |")
    print(f"| {'-' * 24} | --------------: | ----------------------------: |")
    for name, kind, micros in rows:
        share = micros / (10 * generation_ms[kind])
        print(f"| {name:<24} | {micros:>15.0f} | {share:>28.2f}% |")


if __name__ == "__main__":
    main()
