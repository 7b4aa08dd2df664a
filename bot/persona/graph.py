"""Checks on a persona's machine as a whole, and its picture as Mermaid text.

A file can be well-formed and still unplayable: a state nobody can reach, a customer
who can never be satisfied, a terminal state that tries to carry on.

Every check is linear in states + transitions: one walk forward from `start`, one walk
backward from the terminal states. `anywhere` transitions leave every non-terminal
state, so they are followed once as a whole instead of once per state; a file with
thousands of states must load as fast as a small one.
"""

from __future__ import annotations

import difflib
from typing import Iterable, Mapping

from bot.persona.records import Persona, State, Transition
from bot.persona.yaml_reader import Document, Problem, quoted

MAX_LISTED = 12  # state names listed in one message
MAX_SUGGESTED = 20  # "Did you mean" look-ups per file; each compares against every state


def reachable(states: Mapping[str, State], start: str, anywhere: tuple[Transition, ...]) -> set[str]:
    """The states a conversation can reach from `start` (including it)."""
    seen = {start}
    todo = [start]
    anywhere_followed = False
    while todo:
        state = states.get(todo.pop())
        if state is None or state.terminal:
            continue
        nexts = [t.to for t in state.transitions]
        if not anywhere_followed:  # the same targets from every non-terminal state: once is enough
            anywhere_followed = True
            nexts += [t.to for t in anywhere]
        for nxt in nexts:
            if nxt in states and nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def can_end(states: Mapping[str, State], anywhere: tuple[Transition, ...]) -> set[str]:
    """The states from which some state with an outcome can be reached, walking backwards."""
    before: dict[str, list[str]] = {}
    for name, state in states.items():
        if not state.terminal:
            for t in state.transitions:
                before.setdefault(t.to, []).append(name)
    anywhere_to = {t.to for t in anywhere}
    done = {name for name, state in states.items() if state.terminal}
    todo = list(done)
    anywhere_followed = False
    while todo:
        name = todo.pop()
        came_from: Iterable[str] = before.get(name, ())
        if name in anywhere_to and not anywhere_followed:
            # An `anywhere` transition reaches this state from every non-terminal state.
            anywhere_followed = True
            came_from = list(came_from) + [n for n, s in states.items() if not s.terminal]
        for prev in came_from:
            if prev not in done:
                done.add(prev)
                todo.append(prev)
    return done


def _listed(names: list[str]) -> str:
    shown = ", ".join(names[:MAX_LISTED])
    return shown + (f" and {len(names) - MAX_LISTED} more" if len(names) > MAX_LISTED else "")


def problems(
    states: Mapping[str, State], start: str, anywhere: tuple[Transition, ...], file: str, doc: Document
) -> list[Problem]:
    out: list[Problem] = []
    suggestions_left = MAX_SUGGESTED

    def say(path: tuple, message: str) -> None:
        out.append(Problem(file, doc.line_of(path), message))

    def did_you_mean(word: str) -> str:
        nonlocal suggestions_left
        if suggestions_left <= 0 or len(word) > 100:
            return ""
        suggestions_left -= 1
        hint = difflib.get_close_matches(word, names, n=1)
        return f" Did you mean {hint[0]!r}?" if hint else ""

    names = sorted(states)
    if start not in states:
        say(("start",), f"start: {quoted(start)} is not a state.{did_you_mean(start)} States: {_listed(names)}.")
        return out

    def check_targets(transitions: tuple[Transition, ...], path: tuple) -> None:
        for i, t in enumerate(transitions):
            if t.to not in states:
                say(
                    path + (i, "to"),
                    f"{'.'.join(map(str, path))}[{i}].to: {quoted(t.to)} is not a state."
                    f"{did_you_mean(t.to)} Define it under 'states' or use one of: {_listed(names)}.",
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
    ending = can_end(states, anywhere)
    for name in sorted(reach):
        if not states[name].terminal and name not in ending:
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
