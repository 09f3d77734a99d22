"""Utilities with langchain-core's module paths (`runwire.utils.function_calling`, ...).

Nothing is imported here: each submodule is loaded when used.
"""
