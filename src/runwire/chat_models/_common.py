"""Small pieces every provider uses: secrets that never print, lazy SDK imports with an install
hint, SDK objects as plain dicts, and error translation around a call.

Not here: anything provider-specific (see the `_*_wire` modules).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any, TypeVar

from runwire.chat_models.errors import (
    MalformedResponseError,
    MissingCredentialsError,
    ProviderNotInstalledError,
    translate_error,
)
from runwire.messages import message_chunk_to_message
from runwire.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

_T = TypeVar("_T")


class SecretStr:
    """A string that shows as `'**********'` in reprs, str() and f-strings (like pydantic's)."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get_secret_value(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "SecretStr('**********')"

    def __str__(self) -> str:
        return "**********"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SecretStr) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> Any:
        raise TypeError("SecretStr is not picklable: keys do not travel with serialised objects")


def secret(value: Any, env: str, provider: str, *, required: bool = True) -> SecretStr | None:
    """`value` (str or SecretStr), else the environment variable `env`, as a SecretStr."""
    if isinstance(value, SecretStr):
        return value
    if value is None:
        value = os.environ.get(env)
    if value:
        return SecretStr(str(value))
    if required:
        raise MissingCredentialsError(
            f"{provider} needs an API key: pass api_key=... or set the {env} environment variable.",
            provider=provider.lower(),
        )
    return None


def import_sdk(module: str, extra: str, package: str) -> ModuleType:
    """Import a vendor SDK, or raise one error naming the command that installs it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ProviderNotInstalledError(
            f"the `{package}` package is needed for this chat model but is not installed. "
            f'Install it with: pip install "runwire[{extra}]"',
            provider=extra,
        ) from exc


_PARAMETERS: dict[Any, frozenset[str]] = {}


def call_sdk(method: Callable[..., Any], body: dict[str, Any]) -> Any:
    """`method(**body)`, with the fields `method` does not declare sent in `extra_body`: SDK
    releases drop parameters (Anthropic's `temperature`) that APIs and compatible servers
    still take, and servers take fields no SDK knows (llama.cpp's `top_k`)."""
    function = getattr(method, "__func__", method)
    known = _PARAMETERS.get(function)
    if known is None:
        import inspect

        known = _PARAMETERS[function] = frozenset(inspect.signature(function).parameters)
    unknown = [key for key in body if key not in known]
    if not unknown:
        return method(**body)
    kwargs = {key: value for key, value in body.items() if key in known}
    kwargs["extra_body"] = {**{key: body[key] for key in unknown}, **(kwargs.get("extra_body") or {})}
    return method(**kwargs)


def as_dict(obj: Any) -> dict[str, Any]:
    """An SDK response object (pydantic) as the plain dict the API sent."""
    if isinstance(obj, dict):
        return obj
    to_dict = getattr(obj, "to_dict", None)
    if to_dict is not None:
        result = to_dict(warnings=False)  # a malformed body is reported by the wire layer
    else:
        model_dump = getattr(obj, "model_dump", None)
        if model_dump is None:
            raise MalformedResponseError(
                f"expected a JSON object from the API, got {type(obj).__name__}; check base_url="
            )
        result = model_dump(exclude_unset=True)
    if not isinstance(result, dict):
        raise MalformedResponseError(
            f"expected a JSON object from the API, got {result!r:.200}; check base_url="
        )
    return result


def parse_body(parse: Callable[[dict[str, Any]], _T], obj: Any, provider: str) -> _T:
    """`parse(as_dict(obj))`, with a body of the wrong shape (a string where the API promises an
    object, a count that is not a number) reported as a MalformedResponseError, not a bare error
    from deep inside the wire code."""
    body = as_dict(obj)
    try:
        return parse(body)
    except (AttributeError, KeyError, IndexError, TypeError, ValueError) as exc:
        raise MalformedResponseError(
            f"the server answered with a body {provider} does not document ({type(exc).__name__}: "
            f"{exc}); got {body!r:.300}. Check that base_url= points at a server that speaks this API.",
            provider=provider,
        ) from exc


@contextmanager
def provider_errors(provider: str, max_retries: int | None, base_url: str | None = None) -> Iterator[None]:
    """Re-raise SDK and transport failures inside the block as typed `ChatModelError`s (which
    are also instances of the SDK's exception; messages name `base_url`'s host if not the vendor's)."""
    try:
        yield
    except Exception as exc:
        error = translate_error(exc, provider, max_retries, base_url)
        if error is None or error is exc:
            raise
        raise error from exc


def merge_chunks(chunks: list[ChatGenerationChunk], provider: str) -> ChatResult:
    """The streamed chunks of one reply added up into one generation."""
    if not chunks:
        raise MalformedResponseError(
            "the stream ended before any output; expected at least one event", provider=provider
        )
    merged = chunks[0]
    for chunk in chunks[1:]:
        merged = merged + chunk
    message = message_chunk_to_message(merged.message)
    return ChatResult(generations=[ChatGeneration(message=message, generation_info=merged.generation_info)])
