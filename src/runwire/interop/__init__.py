"""Interop with other libraries' objects (`runwire.interop.langchain`). Edge code: the core never
imports it; each submodule imports its library lazily and says how to install it."""
