"""`Runnable.get_graph()`: a runnable's structure as nodes and edges, drawn as Mermaid or ASCII.

Graphs are built like langchain-core's (input schema -> runnable -> output schema; sequences
chained, parallels fanned out and in) and `draw_mermaid()` writes the same text. `draw_ascii()`
draws a top-down box diagram itself, with no extra package (langchain-core needs `grandalf`), so
its layout differs. Nothing is rendered over the network. Not here: tracing runs (`runwire.tracers`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple
from uuid import UUID, uuid4

if TYPE_CHECKING:
    from runwire.runnables.base import Runnable
    from runwire.runnables.config import RunnableConfig

_FRONTMATTER = "---\nconfig:\n  flowchart:\n    curve: linear\n---\n"
_CLASS_DEFS = (
    "\tclassDef default fill:#f2f0ff,line-height:1.2\n"
    "\tclassDef first fill-opacity:0\n"
    "\tclassDef last fill:#bfb6fc\n"
)


class Edge(NamedTuple):
    """An edge from `source` to `target` (node ids), optionally labelled and conditional."""

    source: str
    target: str
    data: Any = None
    conditional: bool = False

    def copy(self, *, source: str | None = None, target: str | None = None) -> Edge:
        return self._replace(source=source or self.source, target=target or self.target)


class Node(NamedTuple):
    """A node: a runnable or a schema (`data`), shown as `name`."""

    id: str
    name: str
    data: Any
    metadata: dict[str, Any] | None

    def copy(self, *, id: str | None = None, name: str | None = None) -> Node:
        return self._replace(id=id or self.id, name=name or self.name)


def _is_uuid(value: str) -> bool:
    try:
        UUID(value)
    except ValueError:
        return False
    return True


def node_data_str(id: str, data: Any) -> str:
    """A node's display name: the runnable's name without a leading `Runnable`, or the schema's."""
    from runwire.runnables.base import Runnable

    if not _is_uuid(id) or data is None:
        return id
    name = data.get_name() if isinstance(data, Runnable) else data.__name__
    return name.removeprefix("Runnable") if name.startswith("Runnable") else name


_LABEL_ESCAPES = {"[": "#91;", "]": "#93;", "(": "#40;", ")": "#41;", "{": "#123;", "}": "#125;"}
_LABEL_ESCAPES.update({'"': "#quot;", "<": "#60;", ">": "#62;", "|": "#124;"})


def _label(node: Node) -> str:
    """A Mermaid node label: the name (markdown-looking names in <p>), then scalar metadata."""
    name = node.name.split(":")[-1]
    label = f"<p>{name}</p>" if name.startswith(tuple("*_`")) and name.endswith(tuple("*_`")) else name
    lines = []
    for key, value in (node.metadata or {}).items():
        shown = _metadata_value(value)
        if shown is not None:
            text = f"{key} = {shown}".replace("#", "#35;")
            for char, entity in _LABEL_ESCAPES.items():
                text = text.replace(char, entity)
            lines.append(text)
    return f"{label}<hr/><small><em>" + "\n".join(lines) + "</em></small>" if lines else label


def _metadata_value(value: Any) -> str | None:
    scalars = (str, int, float, bool)
    if isinstance(value, scalars):
        return str(value)
    if isinstance(value, list | tuple | set) and all(isinstance(item, scalars) for item in value):
        items = [str(item) for item in value]
        return ", ".join(sorted(items) if isinstance(value, set) else items)
    return None


def _to_safe_id(label: str) -> str:
    allowed = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
    return "".join(c if c in allowed else "\\" + format(ord(c), "x") for c in label)


@dataclass
class Graph:
    """Nodes (by id) and edges, with langchain-core's methods."""

    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.nodes)

    def next_id(self) -> str:
        return uuid4().hex

    def add_node(self, data: Any, id: str | None = None, *, metadata: dict[str, Any] | None = None) -> Node:
        if id is not None and id in self.nodes:
            raise ValueError(f"Node with id {id} already exists")
        node_id = id or self.next_id()
        node = Node(id=node_id, name=node_data_str(node_id, data), data=data, metadata=metadata)
        self.nodes[node_id] = node
        return node

    def remove_node(self, node: Node) -> None:
        self.nodes.pop(node.id)
        self.edges = [e for e in self.edges if node.id not in {e.source, e.target}]

    def add_edge(self, source: Node, target: Node, data: Any = None, conditional: bool = False) -> Edge:
        if source.id not in self.nodes or target.id not in self.nodes:
            missing = source.id if source.id not in self.nodes else target.id
            raise ValueError(f"Node {missing} not in graph")
        edge = Edge(source=source.id, target=target.id, data=data, conditional=conditional)
        self.edges.append(edge)
        return edge

    def extend(self, graph: Graph, *, prefix: str = "") -> tuple[Node | None, Node | None]:
        """Add another graph's nodes and edges (not connected); its first and last nodes."""
        if all(_is_uuid(node.id) for node in graph.nodes.values()):
            prefix = ""

        def prefixed(node_id: str) -> str:
            return f"{prefix}:{node_id}" if prefix else node_id

        self.nodes.update({prefixed(k): v.copy(id=prefixed(k)) for k, v in graph.nodes.items()})
        self.edges.extend(e.copy(source=prefixed(e.source), target=prefixed(e.target)) for e in graph.edges)
        first, last = graph.first_node(), graph.last_node()
        return (
            first.copy(id=prefixed(first.id)) if first else None,
            last.copy(id=prefixed(last.id)) if last else None,
        )

    def first_node(self, exclude: tuple[str, ...] = ()) -> Node | None:
        """The one node no edge leads to, if there is exactly one."""
        targets = {e.target for e in self.edges if e.source not in exclude}
        found = [n for n in self.nodes.values() if n.id not in exclude and n.id not in targets]
        return found[0] if len(found) == 1 else None

    def last_node(self, exclude: tuple[str, ...] = ()) -> Node | None:
        """The one node no edge leaves, if there is exactly one."""
        sources = {e.source for e in self.edges if e.target not in exclude}
        found = [n for n in self.nodes.values() if n.id not in exclude and n.id not in sources]
        return found[0] if len(found) == 1 else None

    def trim_first_node(self) -> None:
        first = self.first_node()
        if first and self.first_node(exclude=(first.id,)) and len(self.nodes) > 1:
            self.remove_node(first)

    def trim_last_node(self) -> None:
        last = self.last_node()
        if last and self.last_node(exclude=(last.id,)) and len(self.nodes) > 1:
            self.remove_node(last)

    def reid(self) -> Graph:
        """The graph with node ids replaced by their (made unique) names."""
        by_name: dict[str, list[str]] = {}
        for node in self.nodes.values():
            by_name.setdefault(node.name, []).append(node.id)
        labels = {
            node_id: name if len(ids) == 1 else f"{name}_{i + 1}"
            for name, ids in by_name.items()
            for i, node_id in enumerate(ids)
        }

        def new_id(node_id: str) -> str:
            return labels[node_id] if _is_uuid(node_id) else node_id

        return Graph(
            nodes={new_id(k): n.copy(id=new_id(k)) for k, n in self.nodes.items()},
            edges=[e.copy(source=new_id(e.source), target=new_id(e.target)) for e in self.edges],
        )

    def to_json(self, *, with_schemas: bool = False) -> dict[str, list[dict[str, Any]]]:
        """Nodes (numbered in order) and edges as plain data."""
        from runwire.runnables.base import Runnable

        ids = {node_id: i if _is_uuid(node_id) else node_id for i, node_id in enumerate(self.nodes)}
        nodes = []
        for node_id, node in self.nodes.items():
            if isinstance(node.data, Runnable):
                cls = type(node.data)
                data: Any = {"id": [*cls.__module__.split("."), cls.__name__], "name": node.name}
                kind = "runnable"
            elif node.data is None:
                data, kind = node.name, "unknown"
            else:
                data = node.data.model_json_schema() if with_schemas else node.name
                kind = "schema"
            entry = {"id": ids[node_id], "type": kind, "data": data}
            if node.metadata:
                entry["metadata"] = node.metadata
            nodes.append(entry)
        edges = []
        for edge in self.edges:
            entry = {"source": ids[edge.source], "target": ids[edge.target]}
            if edge.data is not None:
                entry["data"] = edge.data
            if edge.conditional:
                entry["conditional"] = True
            edges.append(entry)
        return {"nodes": nodes, "edges": edges}

    def draw_mermaid(self, *, with_styles: bool = True) -> str:
        """Mermaid flowchart text (the same as langchain-core's for graphs without subgraphs)."""
        graph = self.reid()
        first, last = graph.first_node(), graph.last_node()
        formats = {"default": "{0}({1})"}
        if first is not None:
            formats[first.id] = "{0}([{1}]):::first"
        if last is not None:
            formats[last.id] = "{0}([{1}]):::last"
        out = (_FRONTMATTER + "graph TD;\n") if with_styles else "graph TD;\n"
        if with_styles:
            for key, node in graph.nodes.items():
                out += (
                    "\t" + formats.get(key, formats["default"]).format(_to_safe_id(key), _label(node)) + "\n"
                )
        for edge in graph.edges:
            if edge.data is not None:
                arrow = (
                    f" -. &nbsp;{edge.data}&nbsp; .-> "
                    if edge.conditional
                    else f" -- &nbsp;{edge.data}&nbsp; --> "
                )
            else:
                arrow = " -.-> " if edge.conditional else " --> "
            out += f"\t{_to_safe_id(edge.source)}{arrow}{_to_safe_id(edge.target)};\n"
        if with_styles:
            out += _CLASS_DEFS
        return out

    def draw_ascii(self) -> str:
        """A top-down drawing: one row of boxes per layer, `|`/`*` between connected rows."""
        return _draw_ascii(self)

    def print_ascii(self) -> None:
        print(self.draw_ascii())


def _draw_ascii(graph: Graph) -> str:
    layer: dict[str, int] = {}
    order = list(graph.nodes)
    for _ in range(len(order)):  # longest-path layering; bounded, so a cycle cannot hang it
        changed = False
        for edge in graph.edges:
            depth = layer.get(edge.source, 0) + 1
            if edge.source != edge.target and depth > layer.get(edge.target, 0) and depth <= len(order):
                layer[edge.target] = depth
                changed = True
        if not changed:
            break
    rows: dict[int, list[str]] = {}
    for node_id in order:
        rows.setdefault(layer.get(node_id, 0), []).append(node_id)
    lines: list[str] = []
    for depth in sorted(rows):
        names = [graph.nodes[n].name for n in rows[depth]]
        boxes = ["+" + "-" * (len(n) + 2) + "+" for n in names]
        if lines:
            lines.append(
                "  ".join(
                    " " * (len(b) // 2) + "*" + " " * (len(b) - len(b) // 2 - 1) for b in boxes
                ).rstrip()
            )
        lines.append("  ".join(boxes))
        lines.append("  ".join(f"| {n} |" for n in names))
        lines.append("  ".join(boxes))
    return "\n".join(lines)


def default_graph(runnable: Runnable[Any, Any], config: RunnableConfig | None) -> Graph:
    """input schema -> runnable -> output schema."""
    from runwire.runnables.schema import create_model

    graph = Graph()
    try:
        input_node = graph.add_node(runnable.get_input_schema(config))
    except TypeError:
        input_node = graph.add_node(create_model(runnable.get_name("Input"), fields={}))
    node = graph.add_node(runnable, metadata=config.get("metadata") if config else None)
    try:
        output_node = graph.add_node(runnable.get_output_schema(config))
    except TypeError:
        output_node = graph.add_node(create_model(runnable.get_name("Output"), fields={}))
    graph.add_edge(input_node, node)
    graph.add_edge(node, output_node)
    return graph


def graph_of(runnable: Runnable[Any, Any], config: RunnableConfig | None) -> Graph:
    """The graph of any runnable: combinators by their structure, the rest by `default_graph`."""
    from runwire.runnables.binding import RunnableBindingBase
    from runwire.runnables.each import RunnableEach
    from runwire.runnables.function import RunnableLambda
    from runwire.runnables.parallel import RunnableParallel
    from runwire.runnables.passthrough import RunnableAssign
    from runwire.runnables.retry import RunnableRetry
    from runwire.runnables.sequence import RunnableSequence

    if isinstance(runnable, RunnableBindingBase | RunnableEach | RunnableRetry):
        return runnable.bound.get_graph(config)
    if isinstance(runnable, RunnableSequence):
        return _sequence_graph(runnable, config)
    if isinstance(runnable, RunnableParallel):
        return _parallel_graph(runnable, config)
    if isinstance(runnable, RunnableAssign):
        return _assign_graph(runnable, config)
    if isinstance(runnable, RunnableLambda) and runnable.deps:
        return _fan_graph(runnable, runnable.deps, config)
    return default_graph(runnable, config)


def _assign_graph(assign: Any, config: RunnableConfig | None) -> Graph:
    """The mapper's graph with a passthrough from its input to its output."""
    from runwire.runnables.passthrough import RunnablePassthrough

    graph: Graph = assign.mapper.get_graph(config)
    first, last = graph.first_node(), graph.last_node()
    if first is not None and last is not None:
        passthrough = graph.add_node(RunnablePassthrough())
        graph.add_edge(first, passthrough)
        graph.add_edge(passthrough, last)
    return graph


def _sequence_graph(sequence: Any, config: RunnableConfig | None) -> Graph:
    graph = Graph()
    for step in sequence.steps:
        last = graph.last_node()
        step_graph = step.get_graph(config)
        if step is not sequence.first:
            step_graph.trim_first_node()
        if step is not sequence.last:
            step_graph.trim_last_node()
        step_first, _ = graph.extend(step_graph)
        if not step_first:
            raise ValueError(f"Runnable {step} has no first node")
        if last:
            graph.add_edge(last, step_first)
    return graph


def _parallel_graph(parallel: Any, config: RunnableConfig | None) -> Graph:
    return _fan_graph(parallel, list(parallel.steps__.values()), config)


def _fan_graph(runnable: Any, steps: list[Any], config: RunnableConfig | None) -> Graph:
    """input schema -> each step -> output schema (a parallel's branches, a function's deps)."""
    graph = Graph()
    input_node = graph.add_node(runnable.get_input_schema(config))
    output_node = graph.add_node(runnable.get_output_schema(config))
    for step in steps:
        step_graph = step.get_graph()
        step_graph.trim_first_node()
        step_graph.trim_last_node()
        if not step_graph:
            graph.add_edge(input_node, output_node)
            continue
        first, last = graph.extend(step_graph)
        if not first or not last:
            raise ValueError(f"Runnable {step} has no first or last node")
        graph.add_edge(input_node, first)
        graph.add_edge(last, output_node)
    return graph


__all__ = ["Edge", "Graph", "Node", "node_data_str"]
