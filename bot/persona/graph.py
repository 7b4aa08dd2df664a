"""Checks on a persona's machine as a whole, and its picture as Mermaid text.

A file can be well-formed and still unplayable: a state nobody can reach, a customer
who can never be satisfied, a terminal state that tries to carry on.

Every check is linear in states + transitions: one walk forward from `start`, one walk
backward from the terminal states. `anywhere` transitions leave every non-terminal
state, so they are followed once as a whole instead of once per state; a file with
thousands of states must load as fast as a small one.
"""

from __future__ import annotations

from typing import Callable, Collection, Iterable, Mapping

from bot.persona.records import Persona, State, Transition
from bot.persona.spelling import closest
from bot.persona.yaml_reader import quoted

MAX_LISTED = 12  # state names listed in one message
MAX_SUGGESTED = 20  # "Did you mean" look-ups per file; each compares against every state
# From every state good handling must be able to reach `resolved` within this many
# transitions, so one misread line never leaves a trainee stuck (unless `no_return`).
MAX_RECOVERY = 4


def reachable(
    states: Mapping[str, State],
    start: str,
    anywhere: tuple[Transition, ...],
    renamed: Mapping[str, str] | None = None,
    unread: Collection[str] = (),
) -> set[str]:
    """The states a conversation can reach from `start` (including it).

    `renamed` maps a `to:` naming no state to the state it was probably meant to name;
    from an `unread` state (one whose transitions could not all be read) every state
    counts as reachable, so nothing is called unreachable only because of a typo there.
    """
    renamed = renamed or {}
    seen = {start}
    todo = [start]
    anywhere_followed = False
    while todo:
        name = todo.pop()
        state = states.get(name)
        if state is None or state.terminal:
            continue
        if name in unread:
            return set(states)
        nexts = [t.to for t in state.transitions]
        if not anywhere_followed:  # the same targets from every non-terminal state: once is enough
            anywhere_followed = True
            nexts += [t.to for t in anywhere]
        for nxt in nexts:
            nxt = renamed.get(nxt, nxt)
            if nxt in states and nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _backwards(
    states: Mapping[str, State], anywhere: tuple[Transition, ...], renamed: Mapping[str, str],
) -> tuple[dict[str, list[str]], set[str]]:
    """The machine's edges reversed (state -> the states with a transition into it), and the
    states an `anywhere` transition reaches (from every non-terminal state): what the
    backward walks below need."""
    before: dict[str, list[str]] = {}
    for name, state in states.items():
        if not state.terminal:
            for t in state.transitions:
                before.setdefault(renamed.get(t.to, t.to), []).append(name)
    return before, {renamed.get(t.to, t.to) for t in anywhere}


def can_end(
    states: Mapping[str, State],
    anywhere: tuple[Transition, ...],
    renamed: Mapping[str, str] | None = None,
    unread: Collection[str] = (),
) -> set[str]:
    """The states from which some state with an outcome can be reached, walking backwards.

    An `unread` state is taken to be able to end, as `reachable` takes it to go anywhere.
    """
    before, anywhere_to = _backwards(states, anywhere, renamed or {})
    done = {name for name, state in states.items() if state.terminal or name in unread}
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


def turns_to_resolve(
    states: Mapping[str, State], anywhere: tuple[Transition, ...], renamed: Mapping[str, str] | None = None,
) -> dict[str, int]:
    """The fewest transitions from each state to one with `outcome: resolved`, walking
    backwards breadth first; states that cannot get there are absent. Guards are not
    judged: this is the shape of the machine, what good handling could at best achieve."""
    before, anywhere_to = _backwards(states, anywhere, renamed or {})
    non_terminal = [n for n, s in states.items() if not s.terminal]
    dist = {name: 0 for name, state in states.items() if state.outcome == "resolved"}
    frontier = list(dist)
    while frontier:
        nxt: list[str] = []
        for name in frontier:
            came_from = list(before.get(name, ()))
            if name in anywhere_to:
                came_from += non_terminal
            for prev in came_from:
                if prev not in dist:
                    dist[prev] = dist[name] + 1
                    nxt.append(prev)
        frontier = nxt
    return dist


def _listed(names: list[str]) -> str:
    shown = ", ".join(names[:MAX_LISTED])
    return shown + (f" and {len(names) - MAX_LISTED} more" if len(names) > MAX_LISTED else "")


def _lines(lines: list[int]) -> str:
    shown = [str(n) for n in lines[:MAX_LISTED]]
    more = f" and {len(lines) - MAX_LISTED} more" if len(lines) > MAX_LISTED else ""
    if len(shown) > 1 and not more:
        return ", ".join(shown[:-1]) + " and " + shown[-1]
    return ", ".join(shown) + more


def problems(
    states: Mapping[str, State],
    start: str,
    anywhere: tuple[Transition, ...],
    report: Callable[[tuple, str], None],
    unread: Collection[str] = (),
) -> None:
    """Report what makes the machine unplayable, each problem once.

    A typo is reported where it is written and then read as the name it was probably
    meant to be, so the rest of the checks judge the machine the trainer meant: one
    misspelt state name is one problem, not one per transition plus every state that
    became unreachable through it. Checks that depend on what could not be read
    (`unread` states, an unknown start) are left out rather than guessed at.
    """
    suggestions_left = MAX_SUGGESTED
    names = sorted(states)

    def guess(word: str) -> str | None:
        nonlocal suggestions_left
        if suggestions_left <= 0:
            return None
        suggestions_left -= 1
        return closest(word, names)

    renamed: dict[str, str] = {}
    start_known = start in states
    if not start_known:
        meant = guess(start)
        hint = f" Did you mean {meant!r}?" if meant else ""
        report(("start",), f"{quoted(start)} is not a state.{hint} States: {_listed(names)}.")
        if meant is not None:
            start, start_known = meant, True

    # Every `to:` naming no state, in file order, with each place it is written.
    uses: dict[str, list[tuple[tuple, int]]] = {}
    targeted: set[str] = {start}
    for t in [*anywhere, *(t for s in states.values() for t in s.transitions)]:
        if t.to in states:
            targeted.add(t.to)
        else:
            uses.setdefault(t.to, []).append((t.where + ("to",), t.line))
    for missing, places in uses.items():
        meant = guess(missing)
        hint = ""
        if meant is not None:
            renamed[missing] = meant
            hint = f" Did you mean {meant!r}?"
            if meant not in targeted:
                hint += f" (Or, if {meant!r} is the misspelt one, rename that state to {quoted(missing)}.)"
        where = ""
        if len(places) > 1:
            where = f" ({len(places)} transitions go to it, on lines {_lines(sorted(ln for _, ln in places))})"
        report(
            places[0][0],
            f"{quoted(missing)} is not a state{where}.{hint} Define it under 'states' or use one of: {_listed(names)}.",
        )

    for name, state in states.items():
        if state.terminal and state.transitions:
            report(
                ("states", name, "transitions"),
                f"it ends the conversation (outcome: {state.outcome}) so it cannot have transitions; "
                "remove them or remove 'outcome'.",
            )
        elif not state.terminal and not state.transitions and not anywhere and name not in unread:
            report(
                ("states", name),
                "the conversation gets stuck here; add transitions, or an 'outcome' if it should end here.",
            )

    if not start_known:
        return  # everything below is seen from the start state
    reach = reachable(states, start, anywhere, renamed, unread)
    for name in names:
        if name not in reach:
            report(
                ("states", name),
                f"no transition leads here from '{start}'; add one with 'to: {name}' or remove the state.",
            )
    if not any(states[n].outcome == "resolved" for n in reach):
        report(
            ("states",),
            "no state with 'outcome: resolved' can be reached, so a trainee can never win; "
            "add one and a transition to it.",
        )
    ending = can_end(states, anywhere, renamed, unread)
    for name in sorted(reach):
        if not states[name].terminal and name not in ending:
            report(
                ("states", name),
                "from here the conversation can never end; add a path to a state with an outcome.",
            )
    if unread or not any(states[n].outcome == "resolved" for n in reach):
        return  # said above, or not judged on what could not be read
    recover = turns_to_resolve(states, anywhere, renamed)
    for name in sorted(reach):
        state = states[name]
        if state.terminal or state.no_return or name not in ending:
            continue
        steps = recover.get(name)
        if steps is None:
            report(
                ("states", name),
                "from here good handling can never get back to 'resolved', so one misread line would leave "
                "the trainee stuck; add a transition toward resolved, or write 'no_return: true' in this state "
                "if it is a deliberate point of no return.",
            )
        elif steps > MAX_RECOVERY:
            report(
                ("states", name),
                f"from here it takes {steps} transitions to reach 'resolved' (at most {MAX_RECOVERY} allowed), "
                "so a trainee who slips here cannot recover in time; add a shorter way back, or write "
                "'no_return: true' in this state if it is deliberate.",
            )


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
