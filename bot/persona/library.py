"""The set of personas the bot can play, loaded so one bad file never takes it down."""

from __future__ import annotations

import dataclasses
import os
import random
from dataclasses import dataclass, field
from pathlib import Path

from bot.core.errors import UnknownPersona
from bot.persona.records import Persona
from bot.persona.loader import PersonaInvalid, load_file
from bot.persona.yaml_reader import Problem

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "personas"


def personas_dir() -> Path:
    """HOTSEAT_PERSONAS if set, else the repository's personas/ folder."""
    return Path(os.environ.get("HOTSEAT_PERSONAS") or DEFAULT_DIR)


@dataclass(slots=True)
class Library:
    personas: dict[str, Persona] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    sources: tuple[Path, ...] = ()  # what it was loaded from, so a reload reads the same again

    @classmethod
    def load(cls, *paths: Path) -> "Library":
        """Load files or folders of `*.yaml`; bad files become problems, good ones load.

        Whatever one file does (a parse error, an odd file type, an unforeseen exception)
        ends as a problem naming it: the bot must start with the personas that are fine.
        """
        lib = cls(sources=tuple(paths or (personas_dir(),)))
        files: list[Path] = []
        for path in lib.sources:
            try:
                if path.is_dir():
                    files.extend(sorted(path.glob("*.yaml")) + sorted(path.glob("*.yml")))
                elif path.exists() or path.is_symlink():
                    files.append(path)  # load_file says what is wrong with a pipe or a broken link
                else:
                    lib.problems.append(Problem(str(path), None, "no such file or folder"))
            except (OSError, ValueError) as e:
                lib.problems.append(Problem(str(path), None, f"cannot list this folder ({getattr(e, 'strerror', None) or e})"))
        for file in files:
            try:
                persona = load_file(file)
            except PersonaInvalid as e:
                lib.problems.extend(e.problems)
                continue
            except Exception as e:  # noqa: BLE001 - load_file already turns failures into problems; a last net
                what = f"{type(e).__name__}: {e}"[:200]
                lib.problems.append(Problem(str(file), None, f"Hotseat could not load this file ({what})"))
                continue
            if persona.id in lib.personas:
                other = lib.personas[persona.id].source
                lib.problems.append(
                    Problem(str(file), 1, f"id: {persona.id!r} is already used by {other}; ids must be unique")
                )
                continue
            lib.personas[persona.id] = persona
        return lib

    def get(self, persona_id: str) -> Persona:
        key = persona_id.strip().lower()
        if key in self.personas:
            return self.personas[key]
        raise UnknownPersona(persona_id, sorted(self.personas))

    def pick(self, rng: random.Random, difficulty: int | None = None, avoid: str | None = None) -> Persona:
        """A random persona (of that difficulty); not `avoid` unless it is the only one."""
        pool = [p for p in self.sorted() if difficulty is None or p.difficulty == difficulty]
        pool = [p for p in pool if p.id != avoid] or pool
        if not pool:
            raise UnknownPersona(f"difficulty {difficulty}", [f"{p.id} ({p.difficulty})" for p in self.sorted()])
        return rng.choice(pool)

    def sorted(self) -> list[Persona]:
        return sorted(self.personas.values(), key=lambda p: (p.difficulty, p.id))

    # -- changing the set while the bot runs -------------------------------------------------
    def reloaded(self) -> tuple["Library", list[Problem]]:
        """The same sources read again, as a new Library (this one is left as it was, so a
        caller swaps in the result in one step), and the problems found.

        Everything is read and checked before anything changes. A file that is now broken
        keeps the version of its persona loaded before, so one bad edit never takes a
        persona away; a file that was deleted takes its persona with it. If a source itself
        cannot be read (the folder is gone or unreadable), nothing changes at all.
        """
        fresh = Library.load(*self.sources)
        roots = {str(p) for p in self.sources}
        if any(p.file in roots for p in fresh.problems):
            return self, fresh.problems
        broken = {p.file for p in fresh.problems}
        for pid, old in self.personas.items():
            if pid not in fresh.personas and old.source is not None and str(old.source) in broken:
                fresh.personas[pid] = old
        return fresh, fresh.problems

    def folder(self) -> Path | None:
        """The folder new persona files go in: the first folder this library loads."""
        for path in self.sources:
            if path.is_dir():
                return path
        return None

    def with_persona(self, persona: Persona) -> "Library":
        """A copy with `persona` added, or replacing the one of the same id."""
        return dataclasses.replace(self, personas={**self.personas, persona.id: persona}, problems=list(self.problems))
