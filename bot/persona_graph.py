"""Checks on a persona's machine as a whole, and its picture as Mermaid text.

A file can be well-formed and still unplayable: a state nobody can reach, a customer
who can never be satisfied, a terminal state that tries to carry on.
"""

from __future__ import annotations

import difflib
from typing import Iterable, Mapping

from .persona import Persona, State, Transition
from .persona_yaml import Document, Problem


def _targets(state: State, anywhere: Iterable[Transition]) -> set[str]:
    if state.terminal:
        return set()
    return {t.to for t in state.transitions} | {t.to for t in anywhere}


def reachable(states: Mapping[str, State], start: str, anywhere: tuple[Transition, ...]) -> set[str]:
    seen = {start}
    todo = [start]
    while todo:
        name = todo.pop()
        state = states.get(name)
        if state is None:
            continue
        for nxt in _targets(state, anywhere):
            if nxt in states and nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def problems(
    states: Mapping[str, State], start: str, anywhere: tuple[Transition, ...], file: str, doc: Document
) -> list[Problem]:
    out: list[Problem] = []

    def say(path: tuple, message: str) -> None:
        out.append(Problem(file, doc.line_of(path), message))

    names = sorted(states)
    if start not in states:
        hint = difflib.get_close_matches(start, names, n=1)
        say(("start",), f"start: {start!r} is not a state.{f' Did you mean {hint[0]!r}?' if hint else ''} States: {', '.join(names)}.")
        return out

    def check_targets(transitions: tuple[Transition, ...], path: tuple) -> None:
        for i, t in enumerate(transitions):
            if t.to not in states:
                hint = difflib.get_close_matches(t.to, names, n=1)
                say(
                    path + (i, "to"),
                    f"{'.'.join(map(str, path))}[{i}].to: {t.to!r} is not a state."
                    f"{f' Did you mean {hint[0]!r}?' if hint else ''} Define it under 'states' or use one of: {', '.join(names)}.",
                )

    check_targets(anywhere, ("anywhere",))
    for name, state in states.items():
        path = ("states", name, "transitions")
        if state.terminal and state.transitions:
            say(path, f"states.{name}: it ends the conversation (outcome: {state.outcome}) so it cannot have transitions; remove them or remove 'outcome'.")
        elif not state.terminal and not state.transitions and not anywhere:
            say(("states", name), f"states.{name}: the conversation gets stuck here; add transitions, or an 'outcome' if it should end here.")
        check_targets(state.transitions, path)

    reach = reachable(states, start, anywhere)
    for name in names:
        if name not in reach:
            say(("states", name), f"states.{name}: no transition leads here from '{start}'; add one with 'to: {name}' or remove the state.")
    if not any(states[n].outcome == "resolved" for n in reach):
        say(("states",), "no state with 'outcome: resolved' can be reached, so a trainee can never win; add one and a transition to it.")
    for name in sorted(reach):
        state = states[name]
        if state.terminal:
            continue
        if not any(states[n].terminal for n in reachable(states, name, anywhere) if n in states):
            say(("states", name), f"states.{name}: from here the conversation can never end; add a path to a state with an outcome.")
    return out


def _esc(text: str) -> str:
    return text.replace('"', "'")


def _label(t: Transition) -> str:
    parts = []
    if t.on:
        parts.append(" / ".join(sorted(t.on)))
    for g in t.guards:
        param = g.param
        if isinstance(param, frozenset):
            param = ",".join(sorted(param))
        elif isinstance(param, tuple):
            param = ",".join(f"{k}>={v}" for k, v in param)
        parts.append(f"{g.name} {param}")
    return _esc("; ".join(parts) or "any message")


def mermaid(persona: Persona) -> str:
    """The machine as a Mermaid state diagram: paste it into any Mermaid viewer."""
    lines = ["stateDiagram-v2", f"    [*] --> {persona.start}"]
    for name, state in persona.states.items():
        for t in state.transitions:
            lines.append(f"    {name} --> {t.to}: {_label(t)}")
    for t in persona.anywhere:
        for name, state in persona.states.items():
            if not state.terminal and name != t.to:
                lines.append(f"    {name} --> {t.to}: {_label(t)} (anywhere)")
    for name, state in persona.states.items():
        if state.terminal:
            lines.append(f"    {name} --> [*]")
            lines.append(f"    note right of {name}: {state.outcome}")
    return "\n".join(lines) + "\n"
