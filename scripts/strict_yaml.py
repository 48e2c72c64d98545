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
:func:`read_yaml_entries` reads a document whose top-level mapping holds one
long list (the entity registry) one entry at a time, with the same checks and
messages: PyYAML composes a whole document as nodes first (about 30 bytes of
objects per byte of YAML), which for a registry of 100k entities is most of a
build's memory.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.events import (DocumentStartEvent, MappingEndEvent, MappingStartEvent, SequenceEndEvent,
                         SequenceStartEvent, StreamEndEvent)
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
        self.root_place = ""   # where the root is: "" for a document, "entities[3]" for a streamed entry

    def construct_document(self, node: Node) -> Any:
        self.root = node
        return super().construct_document(node)

    def _note(self, kind: str, line: int, node: Node, step: Any, message: str) -> None:
        self.found.setdefault(kind, []).append((line, node, step, message))

    def _alias(self, child: Node) -> bool:
        """Whether ``child`` was met before: an alias (the composer gives an alias its anchor's node)."""
        return child is EARLIER_ENTRY or child in self.constructed_objects or child in self.recursive_objects

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
        stack = [(self.root, self.root_place)] if self.root is not None else []
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


# What an alias to an anchor of an earlier streamed entry composes to: that entry's nodes are gone, and
# the alias is a problem (read as null) whatever it names, as in a document read whole.
EARLIER_ENTRY = ScalarNode("tag:yaml.org,2002:null", "")


class _EntryLoader(StrictLoader, Composer):
    """A :class:`StrictLoader` that can compose one node at a time (PyYAML's Python composer over the
    C parser's events: libyaml's own composer only composes whole documents)."""

    def __init__(self, stream: str) -> None:
        StrictLoader.__init__(self, stream)
        Composer.__init__(self)

    def next_node(self) -> Node:
        """The next node of the stream, composed (with its children)."""
        node = self.compose_node(None, None)  # type: ignore[arg-type]
        if node is None:
            raise yaml.YAMLError("expected a node")
        return node

    def entry(self, place: str) -> Any:
        """The next node, composed and constructed alone (its problems placed under ``place``)."""
        line = self.peek_event().start_mark.line + 1
        node = self.next_node()
        for name in self.anchors:  # anchors do not outlive their entry (nor keep its nodes in memory)
            self.anchors[name] = EARLIER_ENTRY
        self.root_place = place
        if node is EARLIER_ENTRY:  # the entry itself is an alias of an earlier one
            self.root = node
            self._note("alias", line, node, None, ALIAS_MESSAGE)
            return None
        return self.construct_document(node)

    def drain(self) -> list[tuple[str, list[tuple[int, str]]]]:
        """The problems found since the last drain, placed; forgets them (and their nodes)."""
        found = self.problems()
        self.found = {}
        self.root = None
        return found


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
    document = _parsed(path, loader, loader.get_single_data)
    return document, _messages(path, loader.problems())


def _parsed(path: Path, loader: Any, read: Callable[[], Any]) -> Any:
    """``read()`` of ``loader``; YAML that cannot be read is a BuildError naming the file and the line."""
    try:
        return read()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark else ""
        raise BuildError(f"{path}:{line} not valid YAML: {getattr(exc, 'problem', None) or exc}") from None
    finally:
        loader.dispose()


def _messages(path: Path, problems: list[tuple[str, list[tuple[int, str]]]]) -> list[str]:
    """The problems of a file as messages, at most :data:`MAX_PROBLEMS_PER_KIND` of each kind."""
    messages = []
    for kind, found in problems:
        messages += [f"{path}: line {line}: {message}" for line, message in found[:MAX_PROBLEMS_PER_KIND]]
        if len(found) > MAX_PROBLEMS_PER_KIND:
            messages.append(f"{path}: {len(found) - MAX_PROBLEMS_PER_KIND} more problems like these ({kind})")
    return messages


def load_yaml(path: Path) -> Any:
    """The document of ``path``; every problem of the file raised as one BuildError."""
    document, problems = read_yaml(path)
    if problems:
        raise BuildError.of(problems)
    return document


def read_yaml_entries(path: Path, key: str, each: Callable[[Any], None]) -> tuple[Any, list[str]]:
    """The document of ``path`` and its problems, as :func:`read_yaml`, except that when the document is
    a mapping whose ``key`` holds a list, each entry of that list is handed to ``each`` as soon as it is
    read and the document returned holds an empty list there: memory holds one entry, not the file.

    Problems are those :func:`read_yaml` finds, placed the same way (``entities[3].name: ...``).
    """
    loader = _EntryLoader(_text_of(path))
    found: dict[str, list[tuple[int, str]]] = {}

    def keep(problems: list[tuple[str, list[tuple[int, str]]]]) -> None:
        for kind, located in problems:
            found.setdefault(kind, []).extend(located)

    document = _parsed(path, loader, lambda: _streamed_document(loader, key, each, keep))
    return document, _messages(path, list(found.items()))


def _streamed_document(loader: _EntryLoader, key: str, each: Callable[[Any], None],
                       keep: Callable[[list[tuple[str, list[tuple[int, str]]]]], None]) -> Any:
    loader.get_event()  # the stream's start
    if loader.check_event(StreamEndEvent):
        return None  # an empty file
    if not loader.check_event(DocumentStartEvent):
        raise yaml.YAMLError("expected a document")
    loader.get_event()
    if not loader.check_event(MappingStartEvent) or getattr(loader.peek_event(), "anchor", None):
        document = loader.entry("")  # not a plain mapping: read whole, the caller's check refuses it
    else:
        start = loader.get_event()
        pairs: list[tuple[Node, Node]] = []
        while not loader.check_event(MappingEndEvent):
            key_node = loader.next_node()
            if isinstance(key_node, ScalarNode) and key_node.value == key and loader.check_event(SequenceStartEvent) \
                    and not getattr(loader.peek_event(), "anchor", None):
                listing = loader.get_event()
                index = 0
                while not loader.check_event(SequenceEndEvent):
                    index += 1
                    entry = loader.entry(_step(key, index))
                    keep(loader.drain())
                    each(entry)
                end = loader.get_event()
                value_node: Node = SequenceNode("tag:yaml.org,2002:seq", [], listing.start_mark, end.end_mark)
            else:
                value_node = loader.next_node()
            pairs.append((key_node, value_node))
        end = loader.get_event()
        loader.root_place = ""
        document = loader.construct_document(MappingNode("tag:yaml.org,2002:map", pairs, start.start_mark,
                                                         end.end_mark))
    keep(loader.drain())
    loader.get_event()  # the document's end
    if not loader.check_event(StreamEndEvent):
        another = loader.get_event()
        raise yaml.composer.ComposerError("expected a single document in the stream", None,
                                          "but found another document", another.start_mark)
    return document
