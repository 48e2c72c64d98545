"""Strict YAML reading for every YAML file the pipeline reads (annotations and config).

Takes the path of a YAML file; returns its document (safe types only) and the
problems found in it. A file is refused when it is larger than
:data:`MAX_YAML_BYTES`; inside a file these are problems, each naming the file,
the line and where in the document (``quotes[3].speaker``):

- a key that appears twice in one mapping (at any depth): YAML keeps the last
  one silently, so a second ``speaker:`` would re-attribute a quote;
- an alias (``*name``) or a merge key (``<<``): an alias bomb would expand to
  gigabytes, and nothing the format needs is shared; the alias is read as
  null and never expanded, so a bomb fails at once in little memory;
- a date that does not exist (``2022-02-30``), read as the text written;
- a number that is not finite (``.nan``, ``.inf``, ``1e999``), read as null,
  and an integer outside 64 bits (a table column cannot hold it).

:func:`read_yaml` returns the problems with the document so that a loader can
go on checking the rest of the file and report every problem of a run at
once; :func:`load_yaml` raises them all as one BuildError. libyaml's C parser
is used when present (the pure-Python one dominates the build time).
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from scripts.errors import BuildError

# The largest YAML file read, in bytes. The largest curated annotation file is a few KiB and a registry
# of 100k entities about 20 MiB; 32 MiB leaves room for both and keeps a hostile file from filling memory
# (PyYAML holds about 30 bytes of objects per byte of YAML).
MAX_YAML_BYTES = 32 * 1024 * 1024
# Problems of one kind reported per file; a generated file can repeat one mistake thousands of times.
MAX_PROBLEMS_PER_KIND = 20
INT64_RANGE = (-(2**63), 2**63 - 1)
MERGE_TAG = "tag:yaml.org,2002:merge"
ALIAS_MESSAGE = "an alias (*name) repeats an anchored value; aliases are not allowed: write the value out"

_BASE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class StrictLoader(_BASE_LOADER):  # type: ignore[misc, valid-type]
    """A safe loader that records duplicate keys, aliases, impossible dates and non-finite numbers.

    The common path adds no Python call per node to the safe loader's: a problem is recorded with its
    node, and where that node is in the document is worked out only when there are problems
    (:meth:`problems`), from the document's root.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        # kind -> (line, node whose place names the problem, the key or index below it, or None; message)
        self.found: dict[str, list[tuple[int, Node, Any, str]]] = {}
        self.root: Node | None = None

    def construct_document(self, node: Node) -> Any:
        self.root = node
        return super().construct_document(node)

    def _note(self, kind: str, line: int, node: Node, step: Any, message: str) -> None:
        self.found.setdefault(kind, []).append((line, node, step, message))

    def _alias(self, child: Node) -> bool:
        """Whether ``child`` was met before: an alias (the composer gives an alias its anchor's node)."""
        return child in self.constructed_objects or child in self.recursive_objects

    def construct_mapping(self, node: Node, deep: bool = False) -> dict[Any, Any]:
        if not isinstance(node, MappingNode):
            raise yaml.constructor.ConstructorError(None, None, f"expected a mapping, found {type(node).__name__}",
                                                    node.start_mark)
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if key_node.tag == MERGE_TAG:
                self._note("alias", line, node, None, "a merge key (<<) copies another mapping; write its keys out")
                continue
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, Hashable):
                self._note("key", line, node, None, f"a key must be a plain value, got {type(key).__name__}")
                continue
            if key in mapping:
                first = next(k.start_mark.line + 1 for k, _v in node.value if k.value == key_node.value)
                self._note("duplicate", line, node, None, f"key {key!r} appears twice in one mapping (first on "
                                                          f"line {first}); YAML would keep only the last")
            if self._alias(value_node):
                self._note("alias", line, node, str(key), ALIAS_MESSAGE)
                mapping[key] = None
                continue
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping

    def construct_sequence(self, node: Node, deep: bool = False) -> list[Any]:
        if not isinstance(node, SequenceNode):
            raise yaml.constructor.ConstructorError(None, None, f"expected a sequence, found {type(node).__name__}",
                                                    node.start_mark)
        values: list[Any] = []
        for index, child in enumerate(node.value, start=1):
            if self._alias(child):
                self._note("alias", node.start_mark.line + 1, node, index, ALIAS_MESSAGE)
                values.append(None)
            else:
                values.append(self.construct_object(child, deep=deep))
        return values

    def construct_yaml_timestamp(self, node: ScalarNode) -> Any:  # type: ignore[override]
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as exc:
            self._note("date", node.start_mark.line + 1, node, None,
                       f"{node.value} is not a date ({exc}); write an existing date (YYYY-MM-DD)")
            return str(node.value)

    def construct_yaml_float(self, node: ScalarNode) -> Any:  # type: ignore[override]
        value = super().construct_yaml_float(node)
        if not math.isfinite(value):
            self._note("number", node.start_mark.line + 1, node, None,
                       f"{node.value} is not a finite number; write a number, or null when there is none")
            return None
        return value

    def construct_yaml_int(self, node: ScalarNode) -> Any:  # type: ignore[override]
        value = super().construct_yaml_int(node)
        if not INT64_RANGE[0] <= value <= INT64_RANGE[1]:
            self._note("number", node.start_mark.line + 1, node, None,
                       f"{node.value} is outside the 64-bit integer range a table column holds")
            return None
        return value

    def places(self) -> dict[Node, str]:
        """Where each node is in the document (``quotes[3].speaker``; "" for the root), first place first."""
        found: dict[Node, str] = {}
        stack = [(self.root, "")] if self.root is not None else []
        while stack:
            node, place = stack.pop()
            if node in found:
                continue
            found[node] = place
            if isinstance(node, MappingNode):
                stack += [(value, _step(place, key.value)) for key, value in reversed(node.value)]
            elif isinstance(node, SequenceNode):
                stack += [(child, _step(place, index)) for index, child in reversed(list(enumerate(node.value, 1)))]
        return found

    def problems(self) -> list[tuple[str, list[tuple[int, str]]]]:
        """Per kind, the (line, ``where: what``) of each problem found, where spelt out from the root."""
        if not self.found:
            return []
        places = self.places()
        return [(kind, [(line, _located(_step(places.get(node, ""), step) if step is not None
                                          else places.get(node, ""), message))
                        for line, node, step, message in found])
                for kind, found in self.found.items()]


def _step(place: str, step: Any) -> str:
    """``place`` followed by a 1-based index (``[3]``) or a key (``.speaker``)."""
    if isinstance(step, int):
        return f"{place}[{step}]"
    return f"{place}.{step}" if place else str(step)


def _located(place: str, message: str) -> str:
    return f"{place}: {message}" if place else message


StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", StrictLoader.construct_yaml_timestamp)
StrictLoader.add_constructor("tag:yaml.org,2002:float", StrictLoader.construct_yaml_float)
StrictLoader.add_constructor("tag:yaml.org,2002:int", StrictLoader.construct_yaml_int)
StrictLoader.add_constructor("tag:yaml.org,2002:map", StrictLoader.construct_yaml_map)
StrictLoader.add_constructor("tag:yaml.org,2002:seq", StrictLoader.construct_yaml_seq)


def _text_of(path: Path) -> str:
    """The file's text, refused when it is too large, cannot be read or is not UTF-8."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_YAML_BYTES + 1)  # never more, whatever the file claims to be
    except OSError as exc:
        raise BuildError(f"{path}: cannot be read: {exc.strerror}") from None
    if len(data) > MAX_YAML_BYTES:
        raise BuildError(f"{path}: larger than {MAX_YAML_BYTES // (1024 * 1024)} MiB, the limit of a YAML file "
                         "(docs/annotation-format.md); split it or check that it is the right file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BuildError(f"{path}: not UTF-8 at byte {exc.start}") from None


def read_yaml(path: Path) -> tuple[Any, list[str]]:
    """The document of ``path`` and the problems found in it (``PATH: line N: where: what``).

    A file that cannot be read, is too large or is not YAML raises a BuildError: there is no document.
    """
    loader = StrictLoader(_text_of(path))
    try:
        document = loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark else ""
        raise BuildError(f"{path}:{line} not valid YAML: {getattr(exc, 'problem', None) or exc}") from None
    finally:
        loader.dispose()
    problems = []
    for kind, found in loader.problems():
        problems += [f"{path}: line {line}: {message}" for line, message in found[:MAX_PROBLEMS_PER_KIND]]
        if len(found) > MAX_PROBLEMS_PER_KIND:
            problems.append(f"{path}: {len(found) - MAX_PROBLEMS_PER_KIND} more problems like these ({kind})")
    return document, problems


def load_yaml(path: Path) -> Any:
    """The document of ``path``; every problem of the file raised as one BuildError."""
    document, problems = read_yaml(path)
    if problems:
        raise BuildError.of(problems)
    return document

