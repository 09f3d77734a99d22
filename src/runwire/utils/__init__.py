"""Utilities with langchain-core's module paths (`runwire.utils.function_calling`, ...).

Nothing is imported here: each submodule is loaded when used.
"""


def __getattr__(name: str) -> object:
    """A langchain-core name runwire does not have yet fails with a pointer to the migration guide."""
    from runwire._not_yet import missing_attribute

    raise missing_attribute(__name__, name)
