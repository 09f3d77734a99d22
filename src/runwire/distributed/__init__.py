"""Distributed batch: run `chain.batch(...)` on a cluster with the driver's callbacks intact.

    results = chain.batch(inputs, {"callbacks": [handler]}, executor=DaskExecutor(client))

Workers run chunks of inputs with a recording handler in place of the driver's handlers; each
chunk's events come back with its results and are replayed, in order, to the driver's handlers
through the normal dispatcher, so they hear the same events and the same run tree as a local
batch. Handlers never travel (an unpicklable handler is fine); the chain does. Edge package:
the core never imports it, and engines are imported only when used.
"""

from runwire.distributed.dask import DaskExecutor
from runwire.distributed.executor import RemoteExecutor
from runwire.distributed.process import ProcessExecutor
from runwire.distributed.wire import RemoteError

__all__ = ["DaskExecutor", "ProcessExecutor", "RemoteError", "RemoteExecutor"]
