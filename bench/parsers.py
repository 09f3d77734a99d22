"""Template formats and streaming parsers: runwire next to langchain-core.

Figures (per call, median of 7 loops of ~200 ms, `_timing.per_call`; each library in a fresh
subprocess so neither warms the other's caches), no handler anywhere:

* `mustache.format` = a mustache `PromptTemplate` (a section over 20 dicts, dotted names, an
  inverted section) formatted once;
* `jinja2.format` = a jinja2 `PromptTemplate` (a for loop over the same 20 dicts);
* `fewshot.format` = a `FewShotPromptTemplate` with 5 examples;
* `json.stream` = `JsonOutputParser().transform` over a 30-object document in 8-char chunks
  (re-parsing the text so far at each chunk, as both libraries do);
* `xml.stream` = `XMLOutputParser().transform` over 30 items in 8-char chunks (defusedxml);
* `list.stream` = `NumberedListOutputParser().transform` over 40 one-line items.

    .venv/bin/python bench/parsers.py [--quick]
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from _timing import FULL, QUICK, per_call

FIGURES = ("mustache.format", "jinja2.format", "fewshot.format", "json.stream", "xml.stream", "list.stream")
PACKAGES = {"runwire": "runwire", "langchain-core": "langchain_core"}


def _probes(package: str) -> dict[str, Any]:
    prompts = __import__(f"{package}.prompts", fromlist=["PromptTemplate"])
    parsers = __import__(f"{package}.output_parsers", fromlist=["JsonOutputParser"])
    items = [{"title": f"t{i}", "meta": {"n": i}} for i in range(20)]
    mustache = prompts.PromptTemplate.from_template(
        "Hello {{name}}!\n{{#items}}- {{title}} ({{meta.n}})\n{{/items}}{{^none}}empty{{/none}}",
        template_format="mustache",
    )
    jinja = prompts.PromptTemplate.from_template(
        "Hello {{ name }}!\n{% for i in items %}- {{ i.title }} ({{ i.meta.n }})\n{% endfor %}",
        template_format="jinja2",
    )
    example = prompts.PromptTemplate.from_template("Q: {q}\nA: {a}")
    few_shot = prompts.FewShotPromptTemplate(
        examples=[{"q": f"{i} + {i}", "a": str(2 * i)} for i in range(5)],
        example_prompt=example,
        prefix="Answer like the examples.",
        suffix="Q: {input}\nA:",
    )
    doc = json.dumps({"items": [{"id": i, "name": f"n{i}"} for i in range(30)]})
    json_chunks = [doc[i : i + 8] for i in range(0, len(doc), 8)]
    xml = "<root>" + "".join(f"<item><a>{i}</a><b>x</b></item>" for i in range(30)) + "</root>"
    xml_chunks = [xml[i : i + 8] for i in range(0, len(xml), 8)]
    list_chunks = [f"{i}. item number {i}\n" for i in range(40)]
    json_parser, xml_parser = parsers.JsonOutputParser(), parsers.XMLOutputParser()
    list_parser = parsers.NumberedListOutputParser()
    assert mustache.format(name="Ada", items=items).count("- t") == 20
    assert len(list(list_parser.transform(iter(list_chunks)))) == 40
    return {
        "mustache.format": lambda: mustache.format(name="Ada", items=items),
        "jinja2.format": lambda: jinja.format(name="Ada", items=items),
        "fewshot.format": lambda: few_shot.format(input="6 + 6"),
        "json.stream": lambda: list(json_parser.transform(iter(json_chunks))),
        "xml.stream": lambda: list(xml_parser.transform(iter(xml_chunks))),
        "list.stream": lambda: list(list_parser.transform(iter(list_chunks))),
    }


def worker(library: str, quick: bool) -> None:
    settings = QUICK if quick else FULL
    probes = _probes(PACKAGES[library])
    print(json.dumps({name: per_call(fn, settings)["wall"] for name, fn in probes.items()}))


def main() -> None:
    quick = "--quick" in sys.argv
    results: dict[str, dict[str, float]] = {}
    for library in PACKAGES:
        done = subprocess.run(
            [sys.executable, __file__, "--worker", library, *(["--quick"] if quick else [])],
            capture_output=True,
            text=True,
            check=True,
        )
        results[library] = json.loads(done.stdout)
    print("| figure | runwire | langchain-core | runwire better by |")
    print("| --- | --- | --- | --- |")
    for figure in FIGURES:
        ours, theirs = results["runwire"][figure], results["langchain-core"][figure]
        print(f"| {figure} | {ours / 1000:.1f} µs | {theirs / 1000:.1f} µs | x{theirs / ours:.1f} |")


if __name__ == "__main__":
    if "--worker" in sys.argv:
        worker(sys.argv[sys.argv.index("--worker") + 1], "--quick" in sys.argv)
    else:
        main()
