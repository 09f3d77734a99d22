"""Callback-semantics acceptance suite: each behaviour checked on langchain-core and on runwire."""
