"""Typed errors of the provider chat models, and the translation of SDK/HTTP failures into them.

Every failure a provider call can have (missing package, missing key, a 4xx/5xx status, a rate
limit, a timeout, a dropped connection, a body that is not what the API promises) surfaces as
one `ChatModelError` subclass whose message says what happened and what to do next. The error
raised is also an instance of the exception the SDK raised (a class deriving from both, made once
per pair), so code ported from langchain-openai / langchain-anthropic that catches
`openai.RateLimitError` or `anthropic.APIStatusError` still catches it; the SDK's exception
stays reachable as `__cause__`. Messages name the host that failed when `base_url` points away
from the vendor's API. Not here: retrying (the vendor SDK retries, with its `max_retries`,
before anything reaches this module).

Translation is duck-typed on the SDKs' shared shape (`status_code`, `body`, `response`) so that
this module imports no SDK.
"""

from __future__ import annotations

import json
import sys
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ChatModelError",
    "MalformedResponseError",
    "MissingCredentialsError",
    "ModelBusyError",
    "ModelFileNotFoundError",
    "ProviderNotInstalledError",
    "RateLimitError",
    "ServerError",
    "translate_error",
]


class ChatModelError(Exception):
    """Base of every error a provider chat model raises. `retryable` says whether the same
    request may succeed later (rate limits, 5xx, timeouts, dropped connections)."""

    retryable: bool = False

    def __init__(self, message: str, *, provider: str = "") -> None:
        # Not super(): in a class that also derives from an SDK exception the next __init__ in
        # the MRO is the SDK's, which wants a response object this error does not have.
        Exception.__init__(self, message)
        self.provider = provider


class ProviderNotInstalledError(ChatModelError, ImportError):
    """The provider's package (or the local model's weights) is not installed."""


class ModelFileNotFoundError(ChatModelError, FileNotFoundError):
    """The local model file (`model_path=` or `RUNWIRE_LOCAL_MODEL_PATH`) does not exist."""


class MissingCredentialsError(ChatModelError):
    """No API key was given and none is in the environment."""


class ModelBusyError(ChatModelError, RuntimeError):
    """The local model is still streaming to this thread; finish or close that stream first."""


class APIStatusError(ChatModelError):
    """The API answered with an error status. `status_code`, `error_type` (the API's own
    category, e.g. `invalid_request_error`) and `request_id` come from the response."""

    def __init__(
        self,
        message: str,
        *,
        provider: str = "",
        status_code: int | None = None,
        error_type: str | None = None,
        request_id: str | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(message, provider=provider)
        self.status_code = status_code
        self.error_type = error_type
        self.request_id = request_id
        self.body = body


class BadRequestError(APIStatusError):
    """The request was rejected as invalid (400, 404, 413, 422): fix the request, do not retry."""


class AuthenticationError(APIStatusError):
    """The API key was refused (401) or lacks permission (403)."""


class RateLimitError(APIStatusError):
    """Too many requests (429). `retry_after` is the server's suggested wait in seconds, if any."""

    retryable = True

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ServerError(APIStatusError):
    """The provider failed (5xx, or overloaded): the same request may succeed later."""

    retryable = True


class APITimeoutError(ChatModelError, TimeoutError):
    """No complete answer within `timeout` seconds."""

    retryable = True


class APIConnectionError(ChatModelError, ConnectionError):
    """The server could not be reached, or the connection dropped mid-answer."""

    retryable = True


class MalformedResponseError(ChatModelError):
    """The server answered, but not in the shape the API documents (bad JSON, missing fields)."""


_PROVIDER_NAMES = {"anthropic": "Anthropic", "openai": "OpenAI", "llamacpp": "llama.cpp"}
_VENDOR_HOSTS = {"anthropic": "api.anthropic.com", "openai": "api.openai.com"}

# The API's error `type` in a body decides the class when the status does not (stream errors
# arrive inside a 200 response).
_BY_TYPE: dict[str, type[APIStatusError]] = {
    "invalid_request_error": BadRequestError,
    "not_found_error": BadRequestError,
    "request_too_large": BadRequestError,
    "authentication_error": AuthenticationError,
    "permission_error": AuthenticationError,
    "rate_limit_error": RateLimitError,
    "api_error": ServerError,
    "overloaded_error": ServerError,
    "server_error": ServerError,
}

_ADVICE: dict[type[APIStatusError], str] = {
    BadRequestError: "The request was rejected; check the model name and arguments. Retrying will not help.",
    AuthenticationError: "Check the API key (api_key= or the provider's environment variable).",
    RateLimitError: "Wait and retry, send fewer requests, or raise max_retries= so the SDK waits for you.",
    ServerError: "The provider failed; retry later or raise max_retries=.",
    APIStatusError: "See the provider's error documentation for this status.",
}


def _status_class(status: int | None, error_type: str | None) -> type[APIStatusError]:
    if status in (401, 403):
        return AuthenticationError
    if status == 429:
        return RateLimitError
    if status is not None and (status >= 500 or status == 408):
        return ServerError
    if status is not None and 400 <= status < 500:
        return BadRequestError
    return _BY_TYPE.get(error_type or "", APIStatusError)


def _error_fields(body: Any) -> tuple[str | None, str | None]:
    """(type, message) from an error body: `{"error": {"type", "message"}}` (both APIs)."""
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except ValueError:
            return None, body[:300] or None
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict):
            kind, message = inner.get("type") or inner.get("code"), inner.get("message")
            return (str(kind) if kind else None), (str(message) if message else None)
        if isinstance(inner, str):
            return None, inner
    return None, None


def _retry_after(response: Any) -> float | None:
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is not None:
            try:
                return float(value) * scale
            except ValueError:
                continue
    return None


def _attempts(max_retries: int | None) -> str:
    if max_retries is None:
        return ""
    total = max_retries + 1
    return f" after {total} attempt{'s' if total != 1 else ''}"


def _who(provider: str, base_url: str | None) -> str:
    """Who failed: the vendor, or the host `base_url` points at (a local llama_cpp.server...)."""
    name = _PROVIDER_NAMES.get(provider, provider)
    host = urlsplit(base_url).netloc.rpartition("@")[2] if base_url else ""
    if not host or host == _VENDOR_HOSTS.get(provider):
        return name
    return f"the {name}-compatible server at {host}"


def translate_error(
    exc: BaseException, provider: str, max_retries: int | None = None, base_url: str | None = None
) -> ChatModelError | None:
    """The `ChatModelError` for an SDK or transport exception, or None if `exc` is not one. The
    result is also an instance of `type(exc)` (see `also_sdk_error`)."""
    if isinstance(exc, ChatModelError):
        return exc
    error = _translate(exc, provider, max_retries, _who(provider, base_url))
    return None if error is None else also_sdk_error(error, exc, provider)


def _translate(
    exc: BaseException, provider: str, max_retries: int | None, name: str
) -> ChatModelError | None:
    kind = type(exc).__name__
    module = type(exc).__module__.split(".")[0]
    status = getattr(exc, "status_code", None)
    if kind == "APIResponseValidationError" or isinstance(exc, json.JSONDecodeError):
        return MalformedResponseError(
            f"{name} answered with a body that is not valid for its API ({exc}). "
            f"Check that base_url= points at a server that speaks "
            f"{_PROVIDER_NAMES.get(provider, provider)}'s API.",
            provider=provider,
        )
    if isinstance(status, int) and hasattr(exc, "response"):
        body = getattr(exc, "body", None)
        error_type, api_message = _error_fields(body)
        cls = _status_class(status if status >= 400 else None, error_type)
        detail = f"{error_type}: {api_message}" if error_type and api_message else (api_message or str(exc))
        shown = f"HTTP {status}" if status >= 400 else "a stream error"
        tries = _attempts(max_retries) if cls.retryable and status >= 400 else ""  # the SDK retried these
        message = f"{name} returned {shown}{tries} ({detail}). {_ADVICE[cls]}"
        fields: dict[str, Any] = {
            "provider": provider,
            "status_code": status,
            "error_type": error_type,
            "request_id": getattr(exc, "request_id", None),
            "body": body,
        }
        if cls is RateLimitError:
            wait = _retry_after(getattr(exc, "response", None))
            if wait is not None:
                message += f" The server asked to wait {wait:g}s."
            return RateLimitError(message, retry_after=wait, **fields)
        return cls(message, **fields)
    if kind == "APIError" and module in _PROVIDER_NAMES:  # an error event in a stream: no status
        error_type, api_message = _error_fields(getattr(exc, "body", None))
        cls = _BY_TYPE.get(error_type or "", APIStatusError)
        detail = f"{error_type}: {api_message}" if error_type and api_message else (api_message or str(exc))
        return cls(
            f"{name} sent an error in the stream ({detail}). {_ADVICE[cls]}",
            provider=provider,
            error_type=error_type,
            body=getattr(exc, "body", None),
        )
    if kind == "APITimeoutError" or (module.startswith("httpx") and "Timeout" in kind):
        return APITimeoutError(
            f"{name} did not answer in time{_attempts(max_retries)}. Raise timeout= or max_retries=, "
            "or stream long answers.",
            provider=provider,
        )
    if kind == "APIConnectionError" or (module.startswith("httpx") and kind.endswith(("Error", "Exception"))):
        return APIConnectionError(
            f"could not talk to {name}{_attempts(max_retries)}: {str(exc.__cause__ or exc).rstrip('.')}. "
            "Check base_url= and the network; the connection may have dropped mid-answer.",
            provider=provider,
        )
    return None


# -- the SDK's own exception classes ---------------------------------------------------------------

_TWINS: dict[tuple[type[ChatModelError], tuple[type[BaseException], ...]], type[ChatModelError] | None] = {}


def _sdk_classes(exc: BaseException, error: ChatModelError, provider: str) -> tuple[type[BaseException], ...]:
    """The exception classes a program written for the SDK would catch for `exc`: its own class,
    plus the SDK's connection/timeout error when the transport (httpx) failed mid-stream."""
    classes: list[type[BaseException]] = [type(exc)]
    sdk = sys.modules.get(provider)
    if type(exc).__module__.startswith("httpx") and sdk is not None:
        wanted = "APITimeoutError" if isinstance(error, APITimeoutError) else "APIConnectionError"
        extra = getattr(sdk, wanted, None)
        if isinstance(extra, type) and issubclass(extra, BaseException) and not isinstance(exc, extra):
            classes.append(extra)
    return tuple(classes)


def _twin(cls: type[ChatModelError], sdk: tuple[type[BaseException], ...]) -> type[ChatModelError] | None:
    key = (cls, sdk)
    if key not in _TWINS:
        try:
            made = type(cls.__name__, (cls, *sdk), {"__module__": __name__, "__reduce__": _reduce})
        except TypeError:  # a layout Python cannot combine: keep runwire's class alone
            made = None
        _TWINS[key] = made
    return _TWINS[key]


def also_sdk_error(error: ChatModelError, exc: BaseException, provider: str) -> ChatModelError:
    """`error` as an instance of both its runwire class and the class(es) of the SDK exception
    `exc`, with the SDK's attributes (`response`, `request`, `code`, ...) and runwire's fields."""
    sdk = _sdk_classes(exc, error, provider)
    if all(isinstance(error, c) for c in sdk):
        return error
    twin = _twin(type(error), sdk)
    if twin is None:
        return error
    both = twin.__new__(twin, *error.args)
    Exception.__init__(both, *error.args)
    vars(both).update({**vars(exc), **vars(error)})
    if hasattr(exc, "message"):
        both.message = str(error)  # type: ignore[attr-defined]  # the SDKs' APIError.message
    return both


def _reduce(self: ChatModelError) -> tuple[Any, ...]:
    """Pickle as the same pair of classes, without the SDK's live HTTP objects."""
    cls = type(self)
    state = {k: v for k, v in vars(self).items() if k not in ("response", "request")}
    return (_rebuild, (cls.__mro__[1], cls.__bases__[1:], self.args), state)


def _rebuild(
    cls: type[ChatModelError], sdk: tuple[type[BaseException], ...], args: tuple[Any, ...]
) -> ChatModelError:
    twin = _twin(cls, sdk) or cls
    made = twin.__new__(twin, *args)
    Exception.__init__(made, *args)
    return made
