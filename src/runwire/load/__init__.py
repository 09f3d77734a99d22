"""Serialization in langchain-core's format: `dumpd`, `dumps`, `load`, `loads`, `Serializable`.

Records written by langchain-core load here (into runwire's classes) and records written here
load in langchain-core, for the classes both libraries have. Importing this package imports
nothing heavy; the class table is resolved on first use.
"""

from runwire.load.dump import dumpd, dumps
from runwire.load.load import Reviver, default_init_validator, load, loads
from runwire.load.serializable import Serializable, to_json_not_implemented

__all__ = [
    "Reviver",
    "Serializable",
    "default_init_validator",
    "dumpd",
    "dumps",
    "load",
    "loads",
    "to_json_not_implemented",
]


def __getattr__(name: str) -> object:
    """A langchain-core name runwire does not have yet fails with a pointer to the migration guide."""
    from runwire._not_yet import missing_attribute

    raise missing_attribute(__name__, name)
