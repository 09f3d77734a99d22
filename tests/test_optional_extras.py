"""Features behind optional extras say how to install what they need, and load it only on use.

jsonpatch (`JsonOutputParser(diff=True)`), defusedxml (`XMLOutputParser`) and jinja2
(`template_format="jinja2"`) are imported when first needed; when one is missing, the error
names the package and the `runwire[...]` extra. Simulated by hiding the module
(`sys.modules[name] = None` makes `import name` raise ImportError).
"""

from __future__ import annotations

import sys

import pytest

from runwire.output_parsers import JsonOutputParser, XMLOutputParser
from runwire.prompts import PromptTemplate


def test_json_diff_without_jsonpatch_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    """diff=True streaming needs jsonpatch; plain parsing does not."""
    monkeypatch.setitem(sys.modules, "jsonpatch", None)
    parser = JsonOutputParser(diff=True)
    assert parser.invoke('{"a": 1}') == {"a": 1}
    with pytest.raises(ImportError, match=r'pip install "runwire\[jsonpatch\]"'):
        list(parser.transform(iter(['{"a"', ": 1}"])))


def test_xml_without_defusedxml_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    """The hardened default needs defusedxml; parser="xml" (trusted text) does not."""
    monkeypatch.setitem(sys.modules, "defusedxml", None)
    with pytest.raises(ImportError, match=r'pip install "runwire\[xml\]"'):
        XMLOutputParser().parse("<a>1</a>")
    with pytest.raises(ImportError, match=r'pip install "runwire\[xml\]"'):
        list(XMLOutputParser().transform(iter(["<a>1</a>"])))
    assert XMLOutputParser(parser="xml").parse("<a>1</a>") == {"a": "1"}


def test_jinja2_without_jinja2_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    """Building a jinja2 template needs jinja2; f-string and mustache templates do not."""
    monkeypatch.setitem(sys.modules, "jinja2", None)
    monkeypatch.setitem(sys.modules, "jinja2.sandbox", None)
    with pytest.raises(ImportError, match=r'pip install "runwire\[jinja2\]"'):
        PromptTemplate.from_template("{{ x }}", template_format="jinja2")
    assert PromptTemplate.from_template("{{x}}", template_format="mustache").format(x=1) == "1"


def test_xml_parser_choice_is_checked() -> None:
    """An unknown parser name is refused when the parser is built."""
    with pytest.raises(ValueError, match="'defusedxml' or 'xml'"):
        XMLOutputParser(parser="lxml")  # type: ignore[arg-type]
