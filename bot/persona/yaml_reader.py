"""Reading persona YAML as plain data, remembering the line of every value.

Trainers need errors that point at a line, and persona files are untrusted: they come
from editors, shared folders and copy-paste, and one strange file must never crash or
hang the bot. So everything here is bounded before it is done:

- the file's type and size are checked before it is opened for reading, and at most
  MAX_BYTES + 1 bytes are read (a named pipe, a link to /dev/zero or a huge file is a
  problem, not a hang or a MemoryError);
- characters YAML refuses (NUL, ESC, C1 controls, U+FFFE) are found first, so the
  trainer gets a line, a column and plain words instead of the parser's internals;
- nesting is capped while the parser runs (the pure-Python scanner is quadratic in
  nesting and the composer recursive, so 20,000 `[` would take minutes or overflow
  the stack), as are the length of a value and of a number;
- only plain data is built: anchors and aliases are refused outright (an alias bomb
  expands exponentially) and so is any tag but text, numbers, true/false, null, lists
  and mappings.

The document is built from the parser's events by a loop, not by recursion. The
events come from libyaml when it is installed (C, about ten times faster) and from
PyYAML's own parser otherwise; both give the same data and lines.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import ScalarNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import Resolver
from yaml.scanner import Scanner

MAX_BYTES = 256 * 1024
MAX_DEPTH = 50  # lists and mappings inside each other; a persona needs about 8
MAX_SCALAR = 10_000  # characters in one value; text fields are capped lower by the loader
MAX_NUMBER = 100  # characters in one number; Python refuses ints over 4,300 digits anyway

HAVE_LIBYAML = bool(getattr(yaml, "__with_libyaml__", False)) and hasattr(yaml, "CSafeLoader")

_TAG = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL, _MAP, _SEQ = (_TAG + t for t in ("str", "int", "float", "bool", "null", "map", "seq"))
_SCALAR_TAGS = {_STR, _INT, _FLOAT, _BOOL, _NULL}

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


def quoted(value: object, limit: int = 40) -> str:
    """A trainer's value quoted for a message, cut so a 5,000-digit number or a pasted page
    does not flood the screen."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 4] + "...'"


def _too_deep(line: int) -> YamlProblem:
    return YamlProblem(
        line,
        f"lists and mappings are nested more than {MAX_DEPTH} levels deep here; "
        "a persona needs far fewer, so check for stray '[', '{' or '- '",
    )


def _too_big(size: int | None = None) -> YamlProblem:
    was = f" (it is {size / 1024:,.0f} KB)" if size is not None else ""
    return YamlProblem(None, f"the file is larger than {MAX_BYTES // 1024} KB{was}; a persona fits in far less")


# --- characters ------------------------------------------------------------------------------

# What YAML refuses (C0 controls but tab and line ends, DEL, C1, surrogates, U+FFFE/U+FFFF),
# plus U+0085: YAML would silently read it as a line break, so every later line number
# would disagree with the trainer's editor.
_BAD_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_LINE_BREAK = re.compile("\r\n|[\r\n\u2028\u2029]")  # what YAML counts as a new line


def _describe(ch: str) -> str:
    code = ord(ch)
    if code == 0:
        return "a NUL character (U+0000)"
    if code == 0x1B:
        return "an escape character (ESC, U+001B, the start of a terminal colour code)"
    if code < 0x20 or code == 0x7F:
        return f"an invisible control character (U+{code:04X})"
    if code <= 0x9F:
        return f"an invisible control character (U+{code:04X}, often text saved in the wrong encoding)"
    if 0xD800 <= code <= 0xDFFF:
        return f"half of a character (U+{code:04X}, for example half of an emoji)"
    return f"the non-character U+{code:04X}"


def _check_characters(text: str) -> None:
    bad = _BAD_CHAR.search(text)
    if bad is None:
        return
    pos = bad.start()
    line, line_start = 1, 0
    for brk in _LINE_BREAK.finditer(text, 0, pos):
        line, line_start = line + 1, brk.end()
    more = len(_BAD_CHAR.findall(text, pos + 1))
    also = f" The file has {more} more such character{'s' if more > 1 else ''}." if more else ""
    raise YamlProblem(
        line,
        f"column {pos - line_start + 1} holds {_describe(bad.group())}, which a persona file cannot contain; "
        f"delete it (such characters usually come in with text copied from a terminal or another program).{also}",
    )


# --- parsing ---------------------------------------------------------------------------------


class _BoundedParser(Reader, Scanner, Parser):
    """PyYAML's pure-Python parser, refusing deep nesting while it scans.

    The scanner keeps one possible key per open `[` and looks at all of them for every
    token, so it must stop at the cap rather than after the document is read.
    """

    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)

    def fetch_flow_collection_start(self, TokenClass):  # noqa: N803 - PyYAML's name
        if self.flow_level + len(self.indents) >= MAX_DEPTH:
            raise _too_deep(self.line + 1)
        super().fetch_flow_collection_start(TokenClass)

    def add_indent(self, column: int) -> bool:
        grew = super().add_indent(column)
        if grew and self.flow_level + len(self.indents) > MAX_DEPTH:
            raise _too_deep(self.line + 1)
        return grew


def _events(text: str):
    parser = yaml.CSafeLoader(text) if HAVE_LIBYAML else _BoundedParser(text)
    try:
        while parser.check_event():
            yield parser.get_event()
    finally:
        parser.dispose()


_NO_KEY = object()


class _Frame:
    """An open list or mapping while its events arrive."""

    __slots__ = ("container", "path", "key", "is_map")

    def __init__(self, container: dict | list, path: Path_) -> None:
        self.container = container
        self.path = path
        self.key: object = _NO_KEY
        self.is_map = isinstance(container, dict)


def _tag_name(tag: str) -> str:
    return "!!" + tag[len(_TAG):] if tag.startswith(_TAG) else tag


def _scalar(tag: str, value: str, implicit: bool, line: int, constructor: SafeConstructor) -> object:
    """One value as plain data; a value the YAML library could not convert is a problem, not a crash."""
    if tag == _STR:
        return value
    if tag == _NULL:
        return None
    if tag == _BOOL:
        if value.lower() in constructor.bool_values:
            return constructor.bool_values[value.lower()]
        raise YamlProblem(line, f"{quoted(value)} is not true or false; write true or false")
    if tag in (_INT, _FLOAT):
        if len(value) <= MAX_NUMBER:
            node = ScalarNode(tag, value)
            try:
                if tag == _INT:
                    return constructor.construct_yaml_int(node)
                return constructor.construct_yaml_float(node)
            except (ValueError, OverflowError, ArithmeticError):
                pass
        example = "whole number such as 3" if tag == _INT else "number such as 2.5"
        raise YamlProblem(
            line,
            f"{quoted(value)} is not a number Hotseat can read; write a {example}, "
            "or put the value in quotes if it is meant as text",
        )
    if implicit:
        # A value YAML 1.1 guesses is something else (a date, `<<`, `=`): keep it as the
        # text written, as editors reading YAML 1.2 do.
        return value
    if tag in (_MAP, _SEQ):
        raise YamlProblem(line, f"the tag {_tag_name(tag)!r} does not fit a single value; remove it")
    raise YamlProblem(line, f"the tag {_tag_name(tag)!r} is not allowed; persona files hold plain text, numbers and lists")


def _compose(events, resolver: Resolver, constructor: SafeConstructor) -> Document:
    """Build plain dicts, lists and scalars with line numbers from parser events, in a loop."""
    doc = Document(data=None)
    stack: list[_Frame] = []
    documents = 0

    def place(value: object, line: int) -> Path_:
        if not stack:
            doc.data = value
            path: Path_ = ()
        else:
            top = stack[-1]
            if top.is_map:
                path = top.path + (top.key,)
                top.container[top.key] = value  # type: ignore[index]
                top.key = _NO_KEY
            else:
                path = top.path + (len(top.container),)
                top.container.append(value)  # type: ignore[union-attr]
        doc.lines[path] = line
        return path

    for event in events:
        kind = type(event)
        if kind in (yaml.StreamStartEvent, yaml.StreamEndEvent, yaml.DocumentEndEvent):
            continue
        line = event.start_mark.line + 1
        if kind is yaml.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise YamlProblem(
                    line,
                    "the file holds more than one YAML document (a line '---' starts another); "
                    "a persona is one document, so remove the extra '---'",
                )
            continue
        if kind in (yaml.SequenceEndEvent, yaml.MappingEndEvent):
            stack.pop()
            continue
        if kind is yaml.AliasEvent or event.anchor is not None:
            raise YamlProblem(line, "anchors and aliases (& and *) are not allowed; write the text out in full")
        if stack and stack[-1].is_map and stack[-1].key is _NO_KEY:
            if kind is not yaml.ScalarEvent:
                raise YamlProblem(line, "a key must be a plain word")
            if len(event.value) > MAX_SCALAR:
                raise YamlProblem(line, f"this key is {len(event.value):,} characters long; a key is one word")
            # Keys are always text: YAML 1.1 would read `on:` as the boolean True.
            key = event.value
            if key in stack[-1].container:
                raise YamlProblem(
                    line, f"{quoted(key)} appears twice here; keep one (the second would silently replace the first)"
                )
            stack[-1].key = key
            continue
        tag = event.tag
        implicit = tag is None or tag == "!"
        if kind is yaml.ScalarEvent:
            if len(event.value) > MAX_SCALAR:
                raise YamlProblem(
                    line, f"this value is {len(event.value):,} characters long; the limit is {MAX_SCALAR:,}; shorten it"
                )
            if implicit:
                tag = resolver.resolve(ScalarNode, event.value, event.implicit)
            place(_scalar(tag, event.value, implicit, line, constructor), line)
            continue
        is_map = kind is yaml.MappingStartEvent
        want = _MAP if is_map else _SEQ
        if not implicit and tag != want:
            if tag in _SCALAR_TAGS or tag in (_MAP, _SEQ):
                raise YamlProblem(
                    line, f"the tag {_tag_name(tag)!r} does not fit a {'mapping' if is_map else 'list'}; remove it"
                )
            raise YamlProblem(
                line, f"the tag {_tag_name(tag)!r} is not allowed; persona files hold plain text, numbers and lists"
            )
        if len(stack) >= MAX_DEPTH:
            raise _too_deep(line)
        container: dict | list = {} if is_map else []
        stack.append(_Frame(container, place(container, line)))
    return doc


def read_document(text: str) -> Document:
    """Parse one YAML document into plain dicts, lists and scalars with line numbers."""
    if len(text) > MAX_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise _too_big()
    _check_characters(text)
    try:
        return _compose(_events(text), Resolver(), SafeConstructor())
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else None
        what = e.problem or str(e)
        if "nesting depth" in what:  # libyaml's own cap (1,000 levels), met while looking ahead
            raise _too_deep(line or 1) from None
        raise YamlProblem(line, f"this is not valid YAML ({what}); check indentation, colons and quotes") from None
    except yaml.YAMLError as e:
        raise YamlProblem(None, f"this is not valid YAML ({e})") from None


# --- files -----------------------------------------------------------------------------------


def _kind_problem(mode: int, path: Path) -> YamlProblem | None:
    """Why a file of this type is not read, or None for an ordinary file."""
    if stat.S_ISREG(mode):
        return None
    target = os.path.realpath(path)
    via = f" ({target})" if target != os.path.abspath(path) else ""
    if stat.S_ISDIR(mode):
        noun, why = "a folder", "not a persona file; point Hotseat at the folder itself or at the .yaml files in it"
    elif stat.S_ISFIFO(mode):
        noun, why = "a named pipe", "not a file; Hotseat reads only ordinary files, as a pipe could keep it waiting forever"
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        noun, why = "a device", "not a file; Hotseat reads only ordinary files"
    elif stat.S_ISSOCK(mode):
        noun, why = "a socket", "not a file; Hotseat reads only ordinary files"
    else:
        noun, why = "something other than a file", "Hotseat reads only ordinary files"
    return YamlProblem(None, f"this is {noun}{via}, {why}")


def _read_bounded(path: Path) -> bytes:
    """The file's bytes, checking its type and size before reading and reading at most the cap + 1."""
    try:
        st = os.stat(path)
        problem = _kind_problem(st.st_mode, path)
        if problem is not None:
            raise problem
        if st.st_size > MAX_BYTES:
            raise _too_big(st.st_size)
        # O_NONBLOCK: if the path became a pipe since the check, opening it must not wait.
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
        flags |= getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
        fd = os.open(path, flags)
    except (OSError, ValueError) as e:
        raise YamlProblem(None, f"cannot read the file ({getattr(e, 'strerror', None) or e})") from None
    try:
        st = os.fstat(fd)  # the file actually opened, which may not be the one checked
        problem = _kind_problem(st.st_mode, path)
        if problem is not None:
            raise problem
        if st.st_size > MAX_BYTES:
            raise _too_big(st.st_size)
        chunks: list[bytes] = []
        left = MAX_BYTES + 1  # one byte more than allowed tells a too-large file apart
        while left > 0:
            chunk = os.read(fd, min(left, 64 * 1024))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    except OSError as e:
        raise YamlProblem(None, f"cannot read the file ({e.strerror or e})") from None
    finally:
        os.close(fd)
    raw = b"".join(chunks)
    if len(raw) > MAX_BYTES:
        raise _too_big()
    return raw


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise YamlProblem(None, "the file is saved as UTF-16; save it as UTF-8") from None
        line = raw.count(b"\n", 0, e.start) + 1
        column = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1
        raise YamlProblem(
            line, f"the file is not UTF-8 text (byte 0x{raw[e.start]:02x} at column {column}); save it as UTF-8"
        ) from None


def read_file(path: Path) -> Document:
    """Read and parse one persona file within the limits above."""
    return read_document(_decode(_read_bounded(path)))
