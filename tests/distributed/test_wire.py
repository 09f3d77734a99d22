"""The worker side of the protocol, run in this process: what a chunk records and returns."""

from __future__ import annotations

import threading
from typing import Any

import cloudpickle
from distributed_helpers import make_chain

from runwire.distributed.replay import listeners_for
from runwire.distributed.wire import Audience, ChunkTask, RemoteError, decode, encode, run_chunk


def _task(chain: Any, audience: Audience, n: int = 3) -> ChunkTask:
    rows = [(i, i, {}, 0) for i in range(n)]
    return ChunkTask("key-" + str(id(chain)), cloudpickle.dumps(chain), rows, (audience,))


def test_nobody_listening_records_nothing() -> None:
    """With no handler on the driver, the worker runs silent: outputs only, no records."""
    outcomes, records = decode(run_chunk(_task(make_chain(), listeners_for(None).audience)))
    assert [o[:2] for o in outcomes] == [(0, True), (1, True), (2, True)]
    assert records == []


def test_the_recorder_subscribes_to_what_the_driver_listens_to() -> None:
    """A driver handler with only on_chain_end: the worker records only chain ends."""

    class Ends:
        def on_chain_end(self, outputs: Any, **kwargs: Any) -> None: ...

    audience = listeners_for({"callbacks": [Ends()]}).audience
    assert audience.events == ("on_chain_end",)
    _, records = decode(run_chunk(_task(make_chain(), audience, n=2)))
    assert {event for _, event, _, _ in records} == {"on_chain_end"}
    assert len(records) == 2 * 4  # the sequence, two lambdas and the parser


class _Unpicklable:
    def __init__(self) -> None:
        self.lock = threading.Lock()


class _Fussy(Exception):
    """Pickles, but cannot be rebuilt from its args (a common custom-exception mistake)."""

    def __init__(self, code: int, text: str) -> None:
        super().__init__(text)
        self.code = code


def test_what_cannot_travel_is_replaced_not_lost() -> None:
    """An unpicklable output fails its input only; an exception that does not survive pickling
    becomes a RemoteError with its type and message; event payloads become text."""
    fussy = _Fussy(3, "bad row")
    outcomes = [(0, True, "fine"), (1, True, _Unpicklable()), (2, False, fussy)]
    records = [(0, "on_chain_end", (_Unpicklable(),), {"run_id": 1}), (0, "on_chain_error", (fussy,), {})]
    got, replayed = decode(encode(outcomes, records))
    assert got[0] == (0, True, "fine")
    assert got[1][1] is False
    assert "cannot be pickled" in str(got[1][2])
    assert isinstance(got[2][2], RemoteError)
    assert str(got[2][2]) == "_Fussy: bad row"
    assert replayed[0][2][0].startswith("<unpicklable _Unpicklable")
    assert isinstance(replayed[1][2][0], RemoteError)
