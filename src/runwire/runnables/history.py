"""RunnableWithMessageHistory: a runnable whose calls read and extend a chat message history.

Built like langchain-core's: the bound chain is `load_history` (or `insert_history`, which puts
the history under `history_messages_key`) followed by the runnable with an end listener that
appends the call's input and output messages to the history. Which history a call uses comes
from `get_session_history(...)` with values from `config["configurable"]` (`session_id` by
default, or the `history_factory_config` specs). Not here: history storage (`runwire.chat_history`).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any

from runwire.messages import AIMessage, BaseMessage, HumanMessage
from runwire.runnables.base import Runnable
from runwire.runnables.binding import RunnableBindingBase
from runwire.runnables.config import RunnableConfig
from runwire.runnables.function import RunnableLambda
from runwire.runnables.passthrough import RunnablePassthrough
from runwire.runnables.schema import create_model, unique_config_specs
from runwire.runnables.utils import ConfigurableFieldSpec

MessagesOrDictWithMessages = Sequence[BaseMessage] | dict[str, Any]
GetSessionHistoryCallable = Callable[..., Any]

_SESSION_ID = ConfigurableFieldSpec(
    id="session_id",
    annotation=str,
    name="Session ID",
    description="Unique identifier for a session.",
    default="",
    is_shared=True,
)


class RunnableWithMessageHistory(RunnableBindingBase[Any, Any]):
    """`runnable` with its conversation kept in the history `get_session_history` returns."""

    def __init__(
        self,
        runnable: Runnable[Any, Any] | Any,
        get_session_history: GetSessionHistoryCallable,
        *,
        input_messages_key: str | None = None,
        output_messages_key: str | None = None,
        history_messages_key: str | None = None,
        history_factory_config: Sequence[ConfigurableFieldSpec] | None = None,
        **kwargs: Any,
    ) -> None:
        history_chain: Runnable[Any, Any] = RunnableLambda(
            self._enter_history, self._aenter_history
        ).with_config(run_name="load_history")
        messages_key = history_messages_key or input_messages_key
        if messages_key:
            history_chain = RunnablePassthrough.assign(**{messages_key: history_chain}).with_config(
                run_name="insert_history"
            )
        runnable_sync = runnable.with_listeners(on_end=self._exit_history)
        runnable_async = runnable.with_alisteners(on_end=self._aexit_history)

        def _call_runnable_sync(_input: Any) -> Runnable[Any, Any]:
            return runnable_sync

        async def _call_runnable_async(_input: Any) -> Runnable[Any, Any]:
            return runnable_async

        bound = (
            history_chain
            | RunnableLambda(_call_runnable_sync, _call_runnable_async).with_config(
                run_name="check_sync_or_async"
            )
        ).with_config(run_name="RunnableWithMessageHistory")
        self.get_session_history = get_session_history
        self.input_messages_key = input_messages_key
        self.output_messages_key = output_messages_key
        self.history_messages_key = history_messages_key
        self.history_factory_config = list(history_factory_config or [_SESSION_ID])
        self._history_chain = history_chain
        super().__init__(bound=bound, **kwargs)

    @property
    def config_specs(self) -> list[ConfigurableFieldSpec]:
        return unique_config_specs([*super().config_specs, *self.history_factory_config])

    def get_input_schema(self, config: RunnableConfig | None = None) -> Any:
        if self.input_messages_key and self.history_messages_key:
            fields = {self.input_messages_key: (str | BaseMessage | Sequence[BaseMessage], ...)}
        elif self.input_messages_key:
            fields = {self.input_messages_key: (Sequence[BaseMessage], ...)}
        else:
            return create_model("RunnableWithChatHistoryInput", root=(Sequence[BaseMessage], ...))
        return create_model("RunnableWithChatHistoryInput", fields=fields)

    @property
    def OutputType(self) -> Any:
        return self._history_chain.OutputType

    def get_output_schema(self, config: RunnableConfig | None = None) -> Any:
        return create_model("RunnableWithChatHistoryOutput", root=self.OutputType)

    # -- messages in and out -----------------------------------------------------------------------

    def _get_input_messages(self, input_val: Any) -> list[BaseMessage]:
        if isinstance(input_val, dict):
            if self.input_messages_key:
                key = self.input_messages_key
            elif len(input_val) == 1:
                key = next(iter(input_val))
            else:
                key = "input"
            input_val = input_val[key]
        if isinstance(input_val, str):
            return [HumanMessage(content=input_val)]
        if isinstance(input_val, BaseMessage):
            return [input_val]
        if isinstance(input_val, list | tuple):
            if not input_val:
                return list(input_val)
            if isinstance(input_val[0], list):  # a chat model's batch of one
                if len(input_val) != 1:
                    raise ValueError(f"Expected a single list of messages. Got {input_val}.")
                return list(input_val[0])
            return list(input_val)
        raise ValueError(
            f"Expected str, BaseMessage, list[BaseMessage], or tuple[BaseMessage]. Got {input_val}."
        )

    def _get_output_messages(self, output_val: Any) -> list[BaseMessage]:
        if isinstance(output_val, dict):
            if self.output_messages_key:
                key = self.output_messages_key
            elif len(output_val) == 1:
                key = next(iter(output_val))
            else:
                key = "output"
            if key not in output_val and "generations" in output_val:  # a chat model's run output
                output_val = _message_of(output_val["generations"][0][0])
            else:
                output_val = output_val[key]
        if isinstance(output_val, str):
            return [AIMessage(content=output_val)]
        if isinstance(output_val, BaseMessage):
            return [output_val]
        if isinstance(output_val, list | tuple):
            return list(output_val)
        raise ValueError(
            f"Expected str, BaseMessage, list[BaseMessage], or tuple[BaseMessage]. Got {output_val}."
        )

    def _enter_history(self, value: Any, config: RunnableConfig) -> list[BaseMessage]:
        history = config["configurable"]["message_history"]
        return self._with_input(list(history.messages), value)

    async def _aenter_history(self, value: Any, config: RunnableConfig) -> list[BaseMessage]:
        history = config["configurable"]["message_history"]
        return self._with_input(list(await history.aget_messages()), value)

    def _with_input(self, messages: list[BaseMessage], value: Any) -> list[BaseMessage]:
        if not self.history_messages_key:  # the history goes first in the input messages
            messages += self._get_input_messages(
                value if not self.input_messages_key else value[self.input_messages_key]
            )
        return messages

    def _exit_history(self, run: Any, config: RunnableConfig) -> None:
        history = config["configurable"]["message_history"]
        inputs = self._get_input_messages(run.inputs)
        if not self.history_messages_key:  # drop the history that was prepended to the input
            inputs = inputs[len(history.messages) :]
        history.add_messages(inputs + self._get_output_messages(run.outputs))

    async def _aexit_history(self, run: Any, config: RunnableConfig) -> None:
        history = config["configurable"]["message_history"]
        inputs = self._get_input_messages(run.inputs)
        if not self.history_messages_key:
            inputs = inputs[len(await history.aget_messages()) :]
        await history.aadd_messages(inputs + self._get_output_messages(run.outputs))

    # -- which history a call uses -------------------------------------------------------------------

    def _merge_configs(self, *configs: RunnableConfig | None) -> RunnableConfig:
        config = super()._merge_configs(*configs)
        expected = [spec.id for spec in self.history_factory_config]
        configurable = config.get("configurable", {})
        missing = set(expected) - set(configurable)
        parameters = list(inspect.signature(self.get_session_history).parameters)
        if missing and parameters:
            example_input = {self.input_messages_key: "foo"}
            example_config = {"configurable": dict.fromkeys(missing, "[your-value-here]")}
            raise ValueError(
                f"Missing keys {sorted(missing)} in config['configurable'] "
                f"Expected keys are {sorted(expected)}."
                f"When using via .invoke() or .stream(), pass in a config; "
                f"e.g., chain.invoke({example_input}, {example_config})"
            )
        if len(expected) == 1:
            if parameters:
                history = self.get_session_history(configurable[expected[0]])
            else:
                history = self.get_session_history()
        else:
            if set(expected) != set(parameters):
                raise ValueError(
                    f"Expected keys {sorted(expected)} do not match parameter "
                    f"names {sorted(parameters)} of get_session_history."
                )
            history = self.get_session_history(**{key: configurable[key] for key in expected})
        config["configurable"] = {**configurable, "message_history": history}
        return config

    def __repr__(self) -> str:
        return f"RunnableWithMessageHistory(bound={self.bound!r})"


def _message_of(generation: Any) -> Any:
    message = generation["message"] if isinstance(generation, dict) else generation.message
    if isinstance(message, dict):
        from runwire.messages import messages_from_dict

        return messages_from_dict([{"type": message.get("type"), "data": message}])[0]
    return message
