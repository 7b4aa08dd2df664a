"""The trainer's loop in chat, the same on every platform: reload the persona folder, or
put one uploaded persona file live, after it has been read, checked and its own tests run.

Front ends fetch the bytes (a Slack file, a Discord attachment) and decide the person's
role; this module does the rest and answers with a `Report` they render. Nothing goes live
half-checked: a new Library is built beside the old one and swapped in at once, and
sessions already running keep the persona they started with (the service's concern).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bot.core.errors import HotseatError
from bot.core.service import HotseatService
from bot.frontends.roles import Role
from bot.persona.loader import PersonaInvalid, load_file, load_text
from bot.persona.records import Persona
from bot.persona.yaml_reader import MAX_BYTES, Problem

log = logging.getLogger(__name__)

MAX_UPLOAD = MAX_BYTES  # the loader reads no more from a file on disk, so an upload gets no more either
SUFFIXES = (".yaml", ".yml")
MAX_LINES = 25  # problems listed in chat; the rest are counted, so a pasted novel cannot flood the channel
MAX_LINE = 300
TEST_TIMEOUT = 30.0  # seconds a file's own tests may take before the upload is refused

NOT_TRAINER_RELOAD = (
    "Only trainers can reload personas. If you write personas for your team, ask whoever runs Hotseat "
    "to add you to HOTSEAT_TRAINERS."
)
NOT_TRAINER_UPLOAD = (
    "Only trainers can upload personas, so this file was not read. If you write personas for your team, "
    "ask whoever runs Hotseat to add you to HOTSEAT_TRAINERS."
)


class NotATrainer(HotseatError):
    """Someone who is not a trainer asked to change the personas."""


@dataclass(frozen=True, slots=True)
class Report:
    """What a reload or an upload did, for the trainer who asked: a headline, then one
    line per detail (a problem with its line number, a failed test)."""

    ok: bool
    headline: str
    lines: tuple[str, ...] = ()
    more: int = 0  # lines left out

    @property
    def text(self) -> str:
        body = [self.headline, *(f"• {line}" for line in self.lines)]
        if self.more:
            body.append(f"…and {self.more} more.")
        return "\n".join(body)


def _report(ok: bool, headline: str, lines: list[str]) -> Report:
    cut = [line if len(line) <= MAX_LINE else line[: MAX_LINE - 1] + "…" for line in lines[:MAX_LINES]]
    return Report(ok, headline, tuple(cut), max(0, len(lines) - MAX_LINES))


def _problem_line(p: Problem, *, with_file: bool) -> str:
    where = Path(p.file).name if with_file else ""
    if p.line:
        where = f"{where} line {p.line}".strip()
    message = p.message
    return f"{where}: {message}" if where else message


def require(role: Role, refusal: str) -> None:
    if not role.manages_personas:
        raise NotATrainer(refusal)


class PersonaDesk:
    """Reload and upload for one service. One change at a time: two trainers uploading at
    once must not each swap in a library that lacks the other's persona."""

    def __init__(self, service: HotseatService) -> None:
        self.service = service
        self._one_at_a_time = asyncio.Lock()

    # -- reload ------------------------------------------------------------------------------
    async def reload(self, role: Role) -> Report:
        require(role, NOT_TRAINER_RELOAD)
        async with self._one_at_a_time:
            old = self.service.library
            new, problems = await asyncio.to_thread(old.reloaded)
            lines = [_problem_line(p, with_file=True) for p in problems]
            if new is old:
                return _report(False, "Nothing was reloaded: the persona folder could not be read.", lines)
            self.service.swap_library(new)
        kept = sorted(pid for pid, p in new.personas.items() if old.personas.get(pid) is p)
        added = sorted(set(new.personas) - set(old.personas))
        removed = sorted(set(old.personas) - set(new.personas))
        parts = [f"Reloaded {len(new.personas)} persona(s)."]
        if added:
            parts.append(f"New: {', '.join(added)}.")
        if removed:
            parts.append(f"Gone (file deleted): {', '.join(removed)}.")
        if kept:
            parts.append(f"Kept the previous version of {', '.join(kept)}, whose file has problems:")
        elif problems:
            parts.append("These files have problems and were skipped:")
        parts.append("Sessions already running keep the version they started with.")
        return _report(not problems, " ".join(parts), lines)

    # -- upload ------------------------------------------------------------------------------
    def check_upload(self, role: Role, filename: str, size: int | None) -> None:
        """What can be refused before a byte is downloaded: the role, the name, the size."""
        require(role, NOT_TRAINER_UPLOAD)
        if not filename.lower().endswith(SUFFIXES):
            raise HotseatError(f"{_shown_name(filename)} is not a persona file: upload one .yaml file.")
        if size is not None and size > MAX_UPLOAD:
            raise HotseatError(
                f"{_shown_name(filename)} is {size / 1024:,.0f} KB; a persona file may be at most "
                f"{MAX_UPLOAD // 1024} KB, so it was not read."
            )

    async def upload(self, role: Role, filename: str, data: bytes) -> Report:
        """Read, check and test `data`; if all is well, save it in the persona folder and put
        it live. Any refusal is a Report listing every problem by line."""
        self.check_upload(role, filename, len(data))
        name = _shown_name(filename)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:
            line = data.count(b"\n", 0, e.start) + 1
            return _report(False, f"{name} was not accepted:", [f"line {line}: the file is not UTF-8 text; save it as UTF-8"])
        try:
            persona = await asyncio.to_thread(load_text, text, name)
        except PersonaInvalid as e:
            return _report(False, f"{name} was not accepted; nothing changed. Fix these and upload it again:",
                           [_problem_line(p, with_file=False) for p in e.problems])
        refused, passed = await self._tests(persona, text, name)
        if refused is not None:
            return refused
        async with self._one_at_a_time:
            return await self._install(persona, text, name, passed)

    async def _install(self, persona: Persona, text: str, name: str, passed: int) -> Report:
        library = self.service.library
        folder = library.folder()
        existing = library.personas.get(persona.id)
        verb = "updated" if existing is not None else "added"
        where = "."
        if folder is None:
            saved, why = None, "Hotseat was started with persona files rather than a folder"
        else:
            target = _target(folder, persona, existing)
            try:
                await asyncio.to_thread(_write_atomically, target, text)
                saved, why = load_file(target), ""  # what is live is exactly what a restart will load
            except HotseatError as e:
                return _report(False, str(e), [])
            except PersonaInvalid as e:  # the file changed on disk between the write and the read
                return _report(False, f"{name} was saved but could not be read back:",
                               [_problem_line(p, with_file=False) for p in e.problems])
            except OSError as e:
                saved, why = None, f"I could not write to {folder} ({e.strerror or e})"
                log.warning("could not save an uploaded persona in %s: %s", folder, e)
            else:
                where = f", saved as {target.name}."
        if saved is None:
            self.service.swap_library(library.with_persona(dataclasses.replace(persona, source=None)))
            return _report(
                True,
                f"{persona.name} ({persona.id}) is live, {verb} for new sessions, but NOT saved: {why}. "
                "It will be gone after a restart or a reload; ask whoever runs Hotseat to make the persona "
                "folder writable, or to add the file there.",
                [],
            )
        self.service.swap_library(library.with_persona(saved))
        tested = f" Its {passed} test(s) passed." if passed else ""
        return _report(True, f"{persona.name} ({persona.id}) is live, {verb} for new sessions{where}{tested} "
                             "Sessions already running keep the version they started with.", [])

    async def _tests(self, persona: Persona, text: str, name: str) -> tuple[Report | None, int]:
        """The file's own `tests:` run as `hotseat personas test` runs them: a Report refusing
        the file if they cannot be read or one fails (one marked `xfail` does not count), else
        None and how many ran."""
        try:
            from bot.persona import selftest
        except ImportError:
            return None, 0
        try:
            cases = selftest.load_cases_text(text, name)
        except selftest.CasesInvalid as e:
            return _report(False, f"{name}: its tests: section has problems, so it was not accepted:",
                           [_problem_line(p, with_file=False) for p in e.problems]), 0
        if not cases:
            return None, 0
        unknown = selftest.check_cases(persona, cases)
        if unknown:
            return _report(False, f"{name}: its tests name things the persona lacks, so it was not accepted:",
                           [_problem_line(p, with_file=False) for p in unknown]), 0
        try:
            results = await asyncio.wait_for(asyncio.to_thread(selftest.run_cases, persona, cases), TEST_TIMEOUT)
        except asyncio.TimeoutError:
            return _report(False, f"{name}: its tests did not finish within {TEST_TIMEOUT:.0f} seconds, "
                                  "so it was not accepted.", []), 0
        failed = selftest.failures(results)
        if not failed:
            return None, len(results)
        return _report(
            False,
            f"{name} is valid, but {len(failed)} of its {len(results)} tests failed, so it was not accepted "
            "(`hotseat personas test` shows the whole transcript):",
            [_failure(r) for r in failed],
        ), 0


def _failure(result) -> str:
    """One failed case: its name and line, what was unmet, and where the conversation ended."""
    case = result.case
    at = f" (line {case.line})" if case.line else ""
    why = "; ".join(result.why) or "failed"
    return f"{case.name!r}{at}: {why} [it ended {result.outcome}, in state {result.state}, mood {result.mood}]"


def _shown_name(filename: str) -> str:
    """The file's own name only (never a path a client made up), short."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1] or "the file"
    return base if len(base) <= 80 else base[:79] + "…"


def _target(folder: Path, persona: Persona, existing: Persona | None) -> Path:
    """Where the persona's file goes: over the file it was loaded from, so an update never
    leaves two files with one id; a new persona as `<id>.yaml`."""
    if existing is not None and existing.source is not None and existing.source.parent == folder:
        return existing.source
    target = folder / f"{persona.id}.yaml"
    if target.exists():
        raise HotseatError(
            f"{target.name} already exists in the persona folder but does not hold a persona with the id "
            f"{persona.id!r} that Hotseat loaded; give the persona another id, or fix that file and reload."
        )
    return target


def _write_atomically(target: Path, text: str) -> None:
    """Temp file in the same folder, then a rename: a crash leaves the old file or the new
    one, never half of one. The temp name does not end in .yaml, so a load never sees it."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
