"""Content-block templates: the parts of a multimodal message template.

`("human", ["Describe {thing}", {"type": "image_url", "image_url": "{url}"}])` is a list of
parts; each becomes a text `PromptTemplate`, an `ImagePromptTemplate` or a
`DictPromptTemplate`, all checked when built, in the message's template format (f-string or
mustache; jinja2 is refused for dicts, as in langchain-core). Formatting gives the message's
content list, in langchain-core's shape.
Not here: the message templates that hold these parts (`message`); loading images from
paths (refused, as in langchain-core).
"""

from __future__ import annotations

from typing import Any, ClassVar

from runwire.prompt_values import ImagePromptValue, PromptValue
from runwire.prompts._record import FACTORY, REQUIRED, Described
from runwire.prompts.base import BASE_FIELDS, BasePromptTemplate, StringPromptTemplate
from runwire.prompts.prompt import PromptTemplate
from runwire.prompts.string import DEFAULT_FORMATTER_MAPPING, get_template_variables
from runwire.runnables.base import Runnable

_IMAGE_KEYS = ("url", "path", "detail")


def _strings(value: Any) -> list[str]:
    """Every str inside `value` (dicts and lists walked), which are all f-string templates."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value if isinstance(v, str | dict) for s in _strings(v)]
    return []


def _fill(value: Any, values: dict[str, Any], template_format: str = "f-string") -> Any:
    """`value` with every str formatted against `values` (dicts and lists rebuilt)."""
    if isinstance(value, str):
        if template_format == "f-string":
            return value.format_map(values)  # every str was checked by get_template_variables
        return DEFAULT_FORMATTER_MAPPING[template_format](value, **values)
    if isinstance(value, dict):
        return {k: _fill(v, values, template_format) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(
            _fill(v, values, template_format) if isinstance(v, str | dict) else v for v in value
        )
    return value


_NO_JINJA2_DICTS = (
    "jinja2 is unsafe and is not supported for templates expressed as dicts. "
    "Please use 'f-string' or 'mustache' format."
)


class DictPromptTemplate(Described, Runnable[dict[str, Any], dict[str, Any]]):
    """A dict whose str values (at any depth) are templates; invoking it gives the filled dict
    (a run of type "prompt", as in langchain-core)."""

    _run_type: ClassVar[str | None] = "prompt"
    _repr_fields: ClassVar[tuple[tuple[str, Any], ...]] = (
        ("template", REQUIRED),
        ("template_format", REQUIRED),
    )

    def __init__(self, *, template: dict[str, Any], template_format: str = "f-string") -> None:
        """Every str in `template` is checked now; formatting fills them all."""
        if template_format == "jinja2":
            raise ValueError(_NO_JINJA2_DICTS)
        self.template = template
        self.template_format = template_format
        self.input_variables = sorted(
            {v for s in _strings(template) for v in get_template_variables(s, template_format)}
        )

    def _invoke(self, input: Any, config: Any, run: Any, **kwargs: Any) -> dict[str, Any]:
        if not isinstance(input, dict):
            raise TypeError(
                f"DictPromptTemplate takes a dict of its variables {self.input_variables}, got "
                f"{type(input).__name__}: {input!r:.80}."
            )
        return self.format(**input)

    def format(self, **kwargs: Any) -> dict[str, Any]:
        """The dict with every template string filled in."""
        return dict(_fill(self.template, kwargs, self.template_format))

    async def aformat(self, **kwargs: Any) -> dict[str, Any]:
        """`format` (no I/O, runs inline)."""
        return self.format(**kwargs)

    @property
    def _prompt_type(self) -> str:
        return "dict-prompt"

    def pretty_repr(self, *, html: bool = False) -> str:
        raise NotImplementedError


class ImagePromptTemplate(BasePromptTemplate[dict[str, Any]]):
    """An image reference `{"url": ..., "detail": ...}` whose values are templates; invoking
    it gives an `ImagePromptValue`. `input_variables` defaults to none, as in langchain-core
    (a template built from a message's content blocks lists them)."""

    _repr_fields: ClassVar[tuple[tuple[str, Any], ...]] = (
        *BASE_FIELDS,
        ("template", FACTORY),
        ("template_format", "f-string"),
    )

    def __init__(
        self,
        *,
        template: dict[str, Any] | None = None,
        input_variables: list[str] | None = None,
        template_format: str = "f-string",
        partial_variables: dict[str, Any] | None = None,
        optional_variables: list[str] | None = None,
        input_types: dict[str, Any] | None = None,
        output_parser: Any = None,
        metadata: dict[str, Any] | None = None,
        tags: list[str] | None = None,
        name: str | None = None,
    ) -> None:
        """`input_variables` may not be named url, path or detail (those keys are the output)."""
        template = dict(template or {})
        clash = sorted(set(input_variables or ()) & set(_IMAGE_KEYS))
        if clash:
            raise ValueError(
                "input_variables for the image template cannot contain any of 'url', 'path', or "
                f"'detail'. Found: {clash}. Rename the variables."
            )
        for value in template.values():
            if isinstance(value, str):
                get_template_variables(value, template_format)  # checked now, as in langchain-core
        self.template = template
        self.template_format = template_format
        self._init_fields(
            input_variables=list(input_variables or []),
            optional_variables=optional_variables,
            input_types=input_types,
            partial_variables=partial_variables,
            output_parser=output_parser,
            metadata=metadata,
            tags=tags,
            name=name,
        )

    @property
    def _prompt_type(self) -> str:
        return "image-prompt"

    def format_prompt(self, **kwargs: Any) -> PromptValue:
        """An `ImagePromptValue` of `format(**kwargs)`."""
        return ImagePromptValue(image_url=self.format(**kwargs))

    def format(self, **kwargs: Any) -> dict[str, Any]:
        """`{"url": ..., "detail": ...}` with the variables filled in (detail only when set)."""
        render = DEFAULT_FORMATTER_MAPPING[self.template_format]
        filled = {k: render(v, **kwargs) if isinstance(v, str) else v for k, v in self.template.items()}
        if kwargs.get("path") or filled.get("path"):
            raise ValueError(
                "Loading images from 'path' has been removed as of 0.3.15 for security reasons. "
                "Please specify images by 'url'."
            )
        url = kwargs.get("url") or filled.get("url")
        if not url:
            raise ValueError("an image template needs a url: set 'url' in the template or pass url=...")
        if not isinstance(url, str):
            raise ValueError(f"an image url must be a str, got {type(url).__name__}.")  # noqa: TRY004
        output = {"url": url}
        detail = kwargs.get("detail") or filled.get("detail")
        if detail:
            output["detail"] = detail
        return output

    def pretty_repr(self, html: bool = False) -> str:
        raise NotImplementedError


ContentTemplate = StringPromptTemplate | ImagePromptTemplate | DictPromptTemplate


def content_template(part: Any, template_format: str = "f-string") -> ContentTemplate:
    """The template for one content block of a message template."""
    if isinstance(part, str):
        return PromptTemplate.from_template(part, template_format=template_format)
    if isinstance(part, dict) and "text" in part and part.keys() <= {"type", "text"}:
        return PromptTemplate.from_template(part["text"], template_format=template_format)
    if isinstance(part, dict) and "image_url" in part and part.keys() <= {"type", "image_url"}:
        image = part["image_url"]
        if isinstance(image, str):
            variables = get_template_variables(image, template_format)
            if len(variables) > 1:
                raise ValueError(
                    f"an image_url template may use one variable, got {variables} in {image!r:.80}."
                )
            return ImagePromptTemplate(
                template={"url": image}, input_variables=variables, template_format=template_format
            )
        if isinstance(image, dict):
            variables = [
                v
                for key in _IMAGE_KEYS
                if key in image
                for v in get_template_variables(image[key], template_format)
            ]
            return ImagePromptTemplate(
                template=image, input_variables=variables, template_format=template_format
            )
        raise ValueError(f"invalid image_url template: {part!r:.80}; expected a str or a dict with 'url'.")
    if isinstance(part, dict):
        if template_format == "jinja2":
            raise ValueError(_NO_JINJA2_DICTS)
        return DictPromptTemplate(template=part, template_format=template_format)
    raise ValueError(
        f"invalid content-block template: {part!r:.80}; expected a str, {{'type': 'text', 'text': ...}}, "
        "{'type': 'image_url', 'image_url': ...} or another dict."
    )


def format_content(parts: list[ContentTemplate], values: dict[str, Any]) -> list[Any]:
    """The content list for `values`: text blocks (empty text dropped), images, dicts."""
    content: list[Any] = []
    for part in parts:
        inputs = {name: values[name] for name in part.input_variables}
        if isinstance(part, StringPromptTemplate):
            text = part.format(**inputs)
            if text != "":
                content.append({"type": "text", "text": text})
        elif isinstance(part, ImagePromptTemplate):
            content.append({"type": "image_url", "image_url": part.format(**inputs)})
        else:
            content.append(part.format(**inputs))
    return content
