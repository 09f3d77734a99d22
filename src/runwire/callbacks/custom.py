"""`dispatch_custom_event`: a user event attributed to the run that is executing.

No run is opened: the event carries the enclosing run's id, tags and metadata, as in
langchain-core. Outside any run it raises, naming the fix.
"""

from __future__ import annotations

from typing import Any

from runwire.callbacks.attach import CallbackManager
from runwire.callbacks.calling import acall_handlers, call_handlers
from runwire.callbacks.context import current_run

_NO_PARENT = (
    "dispatch_custom_event({name!r}) was called outside a run: there is no run to attribute it to. "
    "Call it from inside a runnable (a RunnableLambda, a tool, a RunnableGenerator), or pass that "
    "runnable's `config` explicitly: dispatch_custom_event(name, data, config=config)."
)


def _target(name: str, config: Any) -> tuple[Any, dict[str, Any]] | None:
    callbacks = config.get("callbacks") if config else None
    if isinstance(callbacks, CallbackManager):
        dispatch, _, parent_run_id, tags, _, metadata, _ = callbacks._attach()
        if parent_run_id is None:
            raise RuntimeError(_NO_PARENT.format(name=name))
    else:
        run = current_run.get()
        if run is None:
            if callbacks:  # handlers but no run: nothing encloses this event
                raise RuntimeError(_NO_PARENT.format(name=name))
            return None
        # The event is seen from inside the run: its inheritable tags and metadata, not its own
        # step tag (as langchain-core, which builds the event from the child config).
        dispatch, parent_run_id, tags, metadata = run._dispatch, run.run_id, run._inh_tags, run._inh_md
    entries = dispatch.table.get("on_custom_event")
    if not entries:
        return None
    return entries, {"run_id": parent_run_id, "tags": tags, "metadata": metadata}


def dispatch_custom_event(name: str, data: Any, *, config: Any = None) -> None:
    """Send `on_custom_event(name, data)` to the handlers of the enclosing run."""
    target = _target(name, config)
    if target is not None:
        call_handlers(target[0], "on_custom_event", (name, data), target[1])


async def adispatch_custom_event(name: str, data: Any, *, config: Any = None) -> None:
    """Async `dispatch_custom_event`: async handlers are awaited on the running loop."""
    target = _target(name, config)
    if target is not None:
        await acall_handlers(target[0], "on_custom_event", (name, data), target[1])
