"""Loaded by `runwire run -- python app.py` (this folder is put first on PYTHONPATH): trace an
unchanged app. Importing runwire reads RUNWIRE_TRACE (runwire's own runs); when langchain-core
is installed, its configure hook gets the same tracers, so every LangChain/LangGraph run is
recorded too. Never imported by runwire itself."""

import importlib.util

import runwire

if importlib.util.find_spec("langchain_core") is not None:
    import runwire.interop.langchain  # installs the RUNWIRE_TRACE tracers into langchain-core

del importlib, runwire
