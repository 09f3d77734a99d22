"""Callbacks: handler base classes, managers, and the handlers that ship with runwire.

Pass handlers at run time (`config={"callbacks": [h]}`) to hear every nested run, or to a
constructor (`callbacks=[h]`) to hear that object's runs only.
"""

from typing import Any

from runwire.callbacks.background import BackgroundHandler
from runwire.callbacks.base import (
    AsyncCallbackHandler,
    BaseCallbackHandler,
    CallbackManagerMixin,
    ChainManagerMixin,
    LLMManagerMixin,
    RetrieverManagerMixin,
    RunManagerMixin,
    ToolManagerMixin,
)
from runwire.callbacks.custom import adispatch_custom_event, dispatch_custom_event
from runwire.callbacks.manager import (
    AsyncCallbackManager,
    AsyncCallbackManagerForChainRun,
    AsyncCallbackManagerForLLMRun,
    AsyncCallbackManagerForRetrieverRun,
    AsyncCallbackManagerForToolRun,
    AsyncParentRunManager,
    AsyncRunManager,
    BaseCallbackManager,
    BaseRunManager,
    CallbackManager,
    CallbackManagerForChainRun,
    CallbackManagerForLLMRun,
    CallbackManagerForRetrieverRun,
    CallbackManagerForToolRun,
    ParentRunManager,
    RunManager,
    ahandle_event,
    handle_event,
)
from runwire.callbacks.stdout import StdOutCallbackHandler, StreamingStdOutCallbackHandler
from runwire.callbacks.usage import UsageMetadataCallbackHandler, get_usage_metadata_callback

Callbacks = list[Any] | CallbackManager | None

__all__ = [
    "AsyncCallbackHandler",
    "AsyncCallbackManager",
    "AsyncCallbackManagerForChainGroup",
    "AsyncCallbackManagerForChainRun",
    "AsyncCallbackManagerForLLMRun",
    "AsyncCallbackManagerForRetrieverRun",
    "AsyncCallbackManagerForToolRun",
    "AsyncParentRunManager",
    "AsyncRunManager",
    "BackgroundHandler",
    "BaseCallbackHandler",
    "BaseCallbackManager",
    "BaseRunManager",
    "CallbackManager",
    "CallbackManagerForChainGroup",
    "CallbackManagerForChainRun",
    "CallbackManagerForLLMRun",
    "CallbackManagerForRetrieverRun",
    "CallbackManagerForToolRun",
    "CallbackManagerMixin",
    "Callbacks",
    "ChainManagerMixin",
    "LLMManagerMixin",
    "ParentRunManager",
    "RetrieverManagerMixin",
    "RunManager",
    "RunManagerMixin",
    "StdOutCallbackHandler",
    "StreamingStdOutCallbackHandler",
    "ToolManagerMixin",
    "UsageMetadataCallbackHandler",
    "adispatch_custom_event",
    "ahandle_event",
    "atrace_as_chain_group",
    "dispatch_custom_event",
    "get_usage_metadata_callback",
    "handle_event",
    "trace_as_chain_group",
]


_LAZY = frozenset(
    {
        "AsyncCallbackManagerForChainGroup",
        "CallbackManagerForChainGroup",
        "atrace_as_chain_group",
        "trace_as_chain_group",
    }
)


def __getattr__(name: str) -> Any:
    # Chain groups load on first use: most programs never open one.
    if name in _LAZY:
        from runwire.callbacks import groups

        return getattr(groups, name)
    from runwire._not_yet import missing_attribute  # a langchain-core name runwire lacks: say so

    raise missing_attribute(__name__, name)
