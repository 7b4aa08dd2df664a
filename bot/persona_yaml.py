"""Reading persona YAML as plain data, remembering the line of every value.

Trainers need errors that point at a line, and persona files are untrusted: only the
safe loader's plain types are accepted, anchors and aliases are refused outright (an
alias bomb expands exponentially), and the file size is capped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml
from yaml.constructor import SafeConstructor

MAX_BYTES = 256 * 1024
_PLAIN_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}

Path_ = tuple  # a path into the document: ("states", "angry", "transitions", 0, "to")


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a persona file, said so a trainer can fix it."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


@dataclass(slots=True)
class Document:
    data: object
    lines: dict[Path_, int] = field(default_factory=dict)

    def line_of(self, path: Path_) -> int | None:
        """The line of a value, or of its nearest parent that has one."""
        p = tuple(path)
        while True:
            if p in self.lines:
                return self.lines[p]
            if not p:
                return None
            p = p[:-1]


class YamlProblem(Exception):
    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def read_document(text: str) -> Document:
    """Parse one YAML document into plain dicts, lists and scalars with line numbers."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise YamlProblem(None, f"the file is larger than {MAX_BYTES // 1024} KB; a persona fits in far less")
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                line = event.start_mark.line + 1
                raise YamlProblem(line, "anchors and aliases (& and *) are not allowed; write the text out in full")
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else None
        what = e.problem or str(e)
        raise YamlProblem(line, f"this is not valid YAML ({what}); check indentation, colons and quotes") from None
    except yaml.YAMLError as e:
        raise YamlProblem(None, f"this is not valid YAML ({e})") from None
    doc = Document(data=None)
    if node is None:
        return doc
    doc.data = _convert(node, (), doc, SafeConstructor())
    return doc


def _convert(node: yaml.Node, path: Path_, doc: Document, constructor: SafeConstructor) -> object:
    doc.lines[path] = node.start_mark.line + 1
    if node.tag not in _PLAIN_TAGS:
        raise YamlProblem(
            node.start_mark.line + 1,
            f"the tag {node.tag!r} is not allowed; persona files hold plain text, numbers and lists",
        )
    if isinstance(node, yaml.MappingNode):
        out: dict = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlProblem(key_node.start_mark.line + 1, "a key must be a plain word")
            # Keys are always text: YAML 1.1 would read `on:` as the boolean True.
            key = str(key_node.value)
            if key in out:
                raise YamlProblem(
                    key_node.start_mark.line + 1,
                    f"{key!r} appears twice here; keep one (the second would silently replace the first)",
                )
            child = path + (key,)
            out[key] = _convert(value_node, child, doc, constructor)
        doc.lines[path] = node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, path + (i,), doc, constructor) for i, item in enumerate(node.value)]
    return constructor.construct_object(node, deep=True)


def read_file(path: Path) -> Document:
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise YamlProblem(None, f"cannot read the file ({e.strerror or e})") from None
    if len(raw) > MAX_BYTES:
        raise YamlProblem(None, f"the file is larger than {MAX_BYTES // 1024} KB; a persona fits in far less")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise YamlProblem(None, f"the file is not UTF-8 text (byte {e.start}); save it as UTF-8") from None
    return read_document(text)
