"""Vector math for the in-memory store: cosine similarity and maximal marginal relevance.

Pure Python by default; when numpy is installed (never imported at `import runwire`) the
whole-store scoring uses it. Results match langchain-core's `vectorstores.utils` (numbers to
float rounding; ties go to the later-added vector, as numpy's reversed argsort gives them).
Not here: storage (see `in_memory`).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from typing import Any


def _sum_of_products(x: Sequence[float], y: Sequence[float]) -> float:
    return float(sum(map(operator.mul, x, y)))


dot: Any = getattr(math, "sumprod", _sum_of_products)  # math.sumprod (3.12+) is C-speed
"""The dot product of two equal-length float sequences."""


def _norm(vector: Sequence[float]) -> float:
    return math.sqrt(dot(vector, vector))


def _check_width(x: Sequence[Sequence[float]], y: Sequence[Sequence[float]]) -> None:
    widths = {len(row) for row in x} | {len(row) for row in y}
    if len(widths) > 1:
        raise ValueError(
            f"Number of columns in X and Y must be the same: got vectors of lengths {sorted(widths)}. "
            "Embed every text and query with the same model."
        )


def cosine_similarity(x: Sequence[Sequence[float]], y: Sequence[Sequence[float]]) -> list[list[float]]:
    """Row-wise cosine similarity: `out[i][j]` compares `x[i]` with `y[j]` (0.0 for a zero vector)."""
    if len(x) == 0 or len(y) == 0:
        return [[]]
    x = [list(map(float, row)) for row in x]
    y = [list(map(float, row)) for row in y]
    _check_width(x, y)
    y_norms = [_norm(row) for row in y]
    out = []
    for row in x:
        row_norm = _norm(row)
        out.append(
            [
                dot(row, other) / (row_norm * other_norm) if row_norm and other_norm else 0.0
                for other, other_norm in zip(y, y_norms, strict=True)
            ]
        )
    return out


def top_k(scores: Any, k: int) -> list[int]:
    """Indices of the `k` highest scores (a list or a numpy array), best first; among equal
    scores the later index first."""
    n = len(scores)
    if k <= 0 or n == 0:
        return []
    if isinstance(scores, list):
        import heapq

        return heapq.nlargest(k, range(n - 1, -1, -1), key=scores.__getitem__)
    import numpy as np

    candidates = np.argpartition(-scores, k - 1)[:k] if k < n else np.arange(n)
    return sorted(candidates.tolist(), key=lambda i: (scores[i], i), reverse=True)


def maximal_marginal_relevance(
    query_embedding: Any,
    embedding_list: Sequence[Sequence[float]],
    lambda_mult: float = 0.5,
    k: int = 4,
) -> list[int]:
    """Indices of `k` vectors chosen for relevance to the query and diversity among themselves.

    Each step picks the vector maximising `lambda_mult * sim(query) - (1 - lambda_mult) *
    max(sim(already chosen))`; `lambda_mult=1` is plain similarity, `0` maximal diversity.
    """
    count = min(k, len(embedding_list))
    if count <= 0:
        return []
    query = query_embedding.tolist() if hasattr(query_embedding, "tolist") else list(query_embedding)
    if query and isinstance(query[0], list):  # a (1, n) matrix, as langchain-core accepts
        query = query[0]
    vectors = [list(map(float, vector)) for vector in embedding_list]
    to_query = cosine_similarity([query], vectors)[0]
    chosen = [max(range(len(vectors)), key=to_query.__getitem__)]  # the first of equal maxima
    redundancy = cosine_similarity(vectors, [vectors[chosen[0]]])
    worst = [row[0] for row in redundancy]  # each vector's highest similarity to a chosen one
    while len(chosen) < count:
        best_score, best = -math.inf, -1
        for index, relevance in enumerate(to_query):
            if index in chosen:
                continue
            score = lambda_mult * relevance - (1 - lambda_mult) * worst[index]
            if score > best_score:
                best_score, best = score, index
        chosen.append(best)
        added = cosine_similarity(vectors, [vectors[best]])
        worst = [max(old, row[0]) for old, row in zip(worst, added, strict=True)]
    return chosen
