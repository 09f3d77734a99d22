"""runwire: LLM pipelines with langchain-core's surface and a callback runtime that costs
almost nothing when nobody listens. Import from the submodules (`runwire.runnables`,
`runwire.prompts`, ...); this package itself imports nothing heavy."""

__version__ = "0.1.0"
