"""Content blocks: the block types langchain-core knows (`KNOWN_BLOCK_TYPES`), the test for
multimodal data blocks (`is_data_content_block`), constructors for common blocks, and their
OpenAI Chat Completions / Responses forms (`convert_to_openai_data_block`,
`convert_to_openai_image_block`). Blocks are plain dicts. Not here: whole-message conversion
(`openai`).
"""

from __future__ import annotations

import warnings
from typing import Any, Literal
from uuid import uuid4

from runwire.messages.base import KNOWN_BLOCK_TYPES as _STANDARD_BLOCK_TYPES

KNOWN_BLOCK_TYPES = set(_STANDARD_BLOCK_TYPES)  # a set, as in langchain-core; one list with `base`
"""Block types known to langchain-core >= 1.0; any other type is provider-specific."""

_DATA_BLOCK_TYPES = ("image", "video", "audio", "text-plain", "file")


def is_data_content_block(block: dict[str, Any]) -> bool:
    """Whether `block` is a multimodal data block (image, video, audio, plain text or file
    given by url, base64, file id or text), old style (`source_type`) or new."""
    if block.get("type") not in _DATA_BLOCK_TYPES:
        return False
    if any(key in block for key in ("url", "base64", "file_id", "text")):
        return not (block["type"] == "text" and "source_type" not in block)
    source_type = block.get("source_type")
    return (
        (source_type == "url" and "url" in block)
        or (source_type == "base64" and "data" in block)
        or (source_type == "id" and "id" in block)
        or (source_type == "text" and "url" in block)
    )


def _block_id(id: str | None) -> str:
    return id or f"lc_{uuid4()}"


def _finish(block: dict[str, Any], index: int | str | None, extras: dict[str, Any]) -> dict[str, Any]:
    if index is not None:
        block["index"] = index
    extras = {key: value for key, value in extras.items() if value is not None}
    if extras:
        block["extras"] = extras
    return block


def create_text_block(
    text: str,
    *,
    id: str | None = None,
    annotations: list[Any] | None = None,
    index: int | str | None = None,
    **kwargs: Any,
) -> dict[str, Any]:
    """`{"type": "text", "text": ..., "id": ...}` (an `lc_` id when none is given); unknown
    keyword arguments go to `extras`."""
    block: dict[str, Any] = {"type": "text", "text": text, "id": _block_id(id)}
    if annotations is not None:
        block["annotations"] = annotations
    return _finish(block, index, kwargs)


def _data_block(kind: str, sources: dict[str, str | None], id: str | None) -> dict[str, Any]:
    if not any(sources.values()):
        raise ValueError("Must provide one of: url, base64, or file_id")
    block: dict[str, Any] = {"type": kind, "id": _block_id(id)}
    block.update({key: value for key, value in sources.items() if value is not None})
    return block


def create_image_block(
    *,
    url: str | None = None,
    base64: str | None = None,
    file_id: str | None = None,
    mime_type: str | None = None,
    id: str | None = None,
    index: int | str | None = None,
    **kwargs: Any,
) -> dict[str, Any]:
    """An image block from a url, base64 data or a provider file id."""
    block = _data_block("image", {"url": url, "base64": base64, "file_id": file_id}, id)
    if mime_type is not None:
        block["mime_type"] = mime_type
    return _finish(block, index, kwargs)


def create_file_block(
    *,
    url: str | None = None,
    base64: str | None = None,
    file_id: str | None = None,
    mime_type: str | None = None,
    id: str | None = None,
    index: int | str | None = None,
    **kwargs: Any,
) -> dict[str, Any]:
    """A file block from a url, base64 data (with `mime_type`) or a provider file id."""
    block = _data_block("file", {"url": url, "base64": base64, "file_id": file_id}, id)
    if base64 and not mime_type:
        raise ValueError("mime_type is required when using base64 data")
    if mime_type is not None:
        block["mime_type"] = mime_type
    return _finish(block, index, kwargs)


def convert_to_openai_image_block(block: dict[str, Any]) -> dict[str, Any]:
    """An image block as Chat Completions' `{"type": "image_url", "image_url": {"url": ...}}`."""
    if "url" in block:
        return {"type": "image_url", "image_url": {"url": block["url"]}}
    if "base64" in block or block.get("source_type") == "base64":
        if "mime_type" not in block:
            raise ValueError("mime_type key is required for base64 data.")
        data = block["data"] if "data" in block else block["base64"]
        return {"type": "image_url", "image_url": {"url": f"data:{block['mime_type']};base64,{data}"}}
    raise ValueError("Unsupported source type. Only 'url' and 'base64' are supported.")


def _file_block(block: dict[str, Any], api: str) -> dict[str, Any]:
    if block.get("source_type") == "base64" or "base64" in block:
        data = block["data"] if "source_type" in block else block["base64"]
        file = {"file_data": f"data:{block['mime_type']};base64,{data}"}
        extras = block.get("extras") or block.get("metadata") or {}
        if filename := block.get("filename") or extras.get("filename"):
            file["filename"] = filename
        else:
            file["filename"] = "LC_AUTOGENERATED"
            warnings.warn(
                "OpenAI may require a filename for file uploads. Specify a filename in the content "
                "block, e.g.: {'type': 'file', 'mime_type': '...', 'base64': '...', 'filename': "
                "'my-file.pdf'}. Using placeholder filename 'LC_AUTOGENERATED'.",
                stacklevel=3,
            )
        formatted: dict[str, Any] = {"type": "file", "file": file}
    elif block.get("source_type") == "id" or "file_id" in block:
        formatted = {
            "type": "file",
            "file": {"file_id": block["id"] if "source_type" in block else block["file_id"]},
        }
    elif "url" in block:
        if api == "chat/completions":
            raise ValueError("OpenAI Chat Completions does not support file URLs.")
        return {"type": "input_file", "file_url": block["url"]}
    else:
        raise ValueError("Keys base64, url, or file_id required for file blocks.")
    return {"type": "input_file", **formatted["file"]} if api == "responses" else formatted


def convert_to_openai_data_block(
    block: dict[str, Any], api: Literal["chat/completions", "responses"] = "chat/completions"
) -> dict[str, Any]:
    """A standard data block (image, file or audio; old or new style) in OpenAI's format."""
    kind = block["type"]
    if kind == "image":
        converted = convert_to_openai_image_block(block)
        if api != "responses":
            return converted
        formatted = {"type": "input_image", "image_url": converted["image_url"]["url"]}
        if detail := converted["image_url"].get("detail"):
            formatted["detail"] = detail
        return formatted
    if kind == "file":
        return _file_block(block, api)
    if kind == "audio":
        if "base64" in block or block.get("source_type") == "base64":
            data = block["data"] if "source_type" in block else block["base64"]
            return {
                "type": "input_audio",
                "input_audio": {"data": data, "format": block["mime_type"].split("/")[-1]},
            }
        raise ValueError("Key base64 is required for audio blocks.")
    raise ValueError(f"Block of type {kind} is not supported.")
