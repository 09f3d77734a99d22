"""Retrievers: a query in, relevant documents out, as one retriever run.

Subclass `BaseRetriever` and implement `_get_relevant_documents(query, *, run_manager)` (and
`_aget_relevant_documents` for native async I/O). A call is `on_retriever_start(serialized,
query, name=..., metadata={..., "ls_retriever_name": ...})` then exactly one
`on_retriever_end(documents)` or `on_retriever_error(error)`, as in langchain-core, except that
`serialized` is a dict with the retriever's name (langchain-core sends None, §0 of the reference
note). The run is current while documents are fetched, so runnables called inside nest under it.
"""

from __future__ import annotations

from typing import Any, ClassVar

from runwire._fields import Fields
from runwire.callbacks.context import enter_run, exit_run
from runwire.callbacks.manager import (
    AsyncCallbackManagerForRetrieverRun,
    CallbackManagerForRetrieverRun,
    open_run,
)
from runwire.documents import Document
from runwire.runnables.base import Runnable
from runwire.runnables.config import RunnableConfig, run_in_executor

RetrieverInput = str
RetrieverOutput = list[Document]


def _params(func: Any) -> tuple[str, ...]:
    code = getattr(getattr(func, "__func__", func), "__code__", None)
    if code is None:
        return ()
    count = code.co_argcount + code.co_kwonlyargcount
    # `*args` and `**kwargs` count as parameters too, as in langchain-core's signature check.
    count += bool(code.co_flags & 0x04) + bool(code.co_flags & 0x08)  # CO_VARARGS, CO_VARKEYWORDS
    return tuple(code.co_varnames[:count])


class BaseRetriever(Fields, Runnable[str, list[Document]]):
    """Base of retrievers. Implement `_get_relevant_documents(query, *, run_manager)`."""

    tags: list[str] | None = None
    metadata: dict[str, Any] | None = None

    _new_arg_supported: ClassVar[bool] = False
    _expects_other_args: ClassVar[bool] = False
    _anew_arg_supported: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # What the subclass's methods accept is read once per class, not per call.
        params = _params(cls._get_relevant_documents)
        cls._new_arg_supported = "run_manager" in params
        cls._expects_other_args = bool(set(params) - {"self", "query", "run_manager"})
        cls._anew_arg_supported = "run_manager" in _params(cls._aget_relevant_documents)

    def __init__(self, **kwargs: Any) -> None:
        Fields.__init__(self, **kwargs)

    def _get_relevant_documents(self, query: str, *, run_manager: Any) -> list[Document]:
        raise NotImplementedError(f"{type(self).__name__} must implement `_get_relevant_documents`")

    async def _aget_relevant_documents(self, query: str, *, run_manager: Any) -> list[Document]:
        # A sync implementation may block: it runs in a thread (with this context).
        if not self._new_arg_supported:
            return await run_in_executor(None, self._get_relevant_documents, query)
        sync_run = run_manager.get_sync() if run_manager else run_manager
        return await run_in_executor(None, self._get_relevant_documents, query, run_manager=sync_run)

    def _get_ls_params(self, **kwargs: Any) -> dict[str, Any]:
        """langchain's `ls_retriever_name`: the class name without "Retriever", lowercased."""
        name = self.get_name()
        if name.startswith("Retriever"):
            name = name[9:]
        elif name.endswith("Retriever"):
            name = name[:-9]
        return {"ls_retriever_name": name.lower()}

    def _open(self, config: Any, run_cls: type, kwargs: dict[str, Any]) -> Any:
        run = open_run(run_cls, config, None, self.tags, self.metadata)
        if run is not None:
            ls = self._get_ls_params(**kwargs)
            run._md = {**run._md, **ls, **(self.metadata or {})}
            run._inh_md = {**run._inh_md, **ls}  # inherited, as in langchain-core
        return run

    def invoke(self, input: str, config: RunnableConfig | None = None, **kwargs: Any) -> list[Document]:
        """The documents relevant to `input`."""
        run = self._open(config, CallbackManagerForRetrieverRun, kwargs)
        extra = kwargs if self._expects_other_args else {}
        if run is None:
            if self._new_arg_supported:
                return self._get_relevant_documents(input, run_manager=None, **extra)
            return self._get_relevant_documents(input, **extra)
        name = (config and config.get("run_name")) or self.get_name()
        run.fire_start("on_retriever_start", (self._serialized, input), name, None)
        token = enter_run(run)
        try:
            if self._new_arg_supported:
                result = self._get_relevant_documents(input, run_manager=run, **extra)
            else:
                result = self._get_relevant_documents(input, **extra)
        except BaseException as exc:
            run.finish_error(exc)
            raise
        finally:
            exit_run(token)
        run.finish(result)
        return result

    async def ainvoke(
        self, input: str, config: RunnableConfig | None = None, **kwargs: Any
    ) -> list[Document]:
        """Async `invoke`."""
        run = self._open(config, AsyncCallbackManagerForRetrieverRun, kwargs)
        extra = kwargs if self._expects_other_args else {}
        if run is None:
            if self._anew_arg_supported:
                return await self._aget_relevant_documents(input, run_manager=None, **extra)
            return await self._aget_relevant_documents(input, **extra)
        name = (config and config.get("run_name")) or self.get_name()
        await run.afire_start("on_retriever_start", (self._serialized, input), name, None)
        token = enter_run(run)
        try:
            if self._anew_arg_supported:
                result = await self._aget_relevant_documents(input, run_manager=run, **extra)
            else:
                result = await self._aget_relevant_documents(input, **extra)
        except BaseException as exc:
            await run.afinish_error(exc)
            raise
        finally:
            exit_run(token)
        await run.afinish(result)
        return result

    def __repr__(self) -> str:
        return Fields.__repr__(self)


__all__ = ["BaseRetriever", "RetrieverInput", "RetrieverOutput"]


def __getattr__(name: str) -> object:
    """A langchain-core name runwire does not have yet fails with a pointer to the migration guide."""
    from runwire._not_yet import missing_attribute

    raise missing_attribute(__name__, name)


from runwire._not_yet import install_methods as _install_methods  # noqa: E402 - needs the class

_install_methods(BaseRetriever, "BaseRetriever")  # langchain-core methods not here yet explain so
