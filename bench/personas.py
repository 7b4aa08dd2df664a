"""Held-out persona benchmark: play the held-out trainee scripts against each persona.

For every persona that has a folder under tests/data/heldout_scripts/ (scripts per kind:
excellent.txt, robotic.txt, hostile.txt, and from the fourth set on also excellent-2.txt and
the like, which count as further runs of their kind), runs

    hotseat simulate <persona-id> --script <file> --seed N --json

for seeds 1-5 and prints, per persona, the resolve rate and the mean debrief score of
each kind, and whether the mean scores are ordered excellent > robotic > hostile.

    python bench/personas.py                 # table
    python bench/personas.py --json          # one JSON object
    python bench/personas.py --seeds 1-5 --persona late-delivery --subprocess

Numbers, not assertions. These scripts are a held-out set: measure once per persona
version and never edit the scripts (or tune a persona against them) to move a number.
See tests/data/heldout_scripts/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from statistics import mean

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "tests" / "data" / "heldout_scripts"
KINDS = ("excellent", "robotic", "hostile")


def parse_seeds(text: str) -> list[int]:
    seeds: list[int] = []
    for part in text.split(","):
        part = part.strip()
        if "-" in part:
            lo, hi = part.split("-", 1)
            seeds.extend(range(int(lo), int(hi) + 1))
        elif part:
            seeds.append(int(part))
    return seeds


def simulate_subprocess(argv: list[str]) -> dict:
    exe = Path(sys.executable).with_name("hotseat")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "bot.cli"]
    proc = subprocess.run(cmd + argv, cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"hotseat {' '.join(argv)} exited {proc.returncode}: {proc.stderr.strip()}")
    return json.loads(proc.stdout)


def simulate_inprocess(argv: list[str]) -> dict:
    sys.path.insert(0, str(ROOT))
    from bot.cli import main  # the `hotseat` console script

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(argv)
    if rc:
        raise RuntimeError(f"hotseat {' '.join(argv)} exited {rc}: {err.getvalue().strip()}")
    return json.loads(out.getvalue())


def scripts_of(folder: Path, kind: str) -> list[Path]:
    """`kind.txt` and any `kind-*.txt`: a set may hold several agents of one kind."""
    return sorted(p for p in folder.glob(f"{kind}*.txt") if p.stem == kind or p.stem.startswith(f"{kind}-"))


def heldout_personas(only: list[str] | None) -> list[str]:
    ids = sorted(p.name for p in SCRIPTS.iterdir() if p.is_dir() and any(scripts_of(p, k) for k in KINDS))
    if only:
        missing = [i for i in only if i not in ids]
        if missing:
            raise SystemExit(f"no held-out scripts for: {', '.join(missing)}")
        ids = [i for i in ids if i in only]
    return ids


def run(ids: list[str], seeds: list[int], use_subprocess: bool, personas_path: str | None) -> dict:
    simulate = simulate_subprocess if use_subprocess else simulate_inprocess
    result: dict = {"seeds": seeds, "personas": {}}
    with tempfile.TemporaryDirectory(prefix="hotseat-bench-") as tmp:
        for pid in ids:
            per: dict = {}
            for kind in KINDS:
                scripts = scripts_of(SCRIPTS / pid, kind)
                if not scripts:
                    continue
                runs = []
                for script in scripts:
                    for seed in seeds:
                        # a fresh throwaway database per run: nothing reaches the leaderboard
                        argv = ["simulate", pid, "--script", str(script), "--seed", str(seed),
                                "--json", "--db", str(Path(tmp) / f"{pid}-{script.stem}-{seed}.sqlite3")]
                        if personas_path:
                            argv += ["--personas", personas_path]
                        d = simulate(argv)
                        runs.append({"script": script.name, "seed": seed, "outcome": d["outcome"],
                                     "score": d["debrief"]["score"], "turns": len(d["turns"])})
                per[kind] = {
                    "runs": runs,
                    "resolve_rate": sum(r["outcome"] == "resolved" for r in runs) / len(runs),
                    "mean_score": mean(r["score"] for r in runs),
                    "outcomes": {o: sum(r["outcome"] == o for r in runs)
                                 for o in sorted({r["outcome"] for r in runs})},
                }
            scores = [per[k]["mean_score"] for k in KINDS if k in per]
            per["ordered"] = (len(scores) == 3 and scores[0] > scores[1] > scores[2])
            result["personas"][pid] = per
    ps = result["personas"].values()
    totals: dict = {}
    for kind in KINDS:
        runs = [r for p in ps if kind in p for r in p[kind]["runs"]]
        if runs:
            totals[kind] = {"resolve_rate": sum(r["outcome"] == "resolved" for r in runs) / len(runs),
                            "mean_score": mean(r["score"] for r in runs), "runs": len(runs)}
    totals["ordered_personas"] = sum(bool(p["ordered"]) for p in ps)
    totals["personas"] = len(result["personas"])
    result["totals"] = totals
    return result


def print_table(result: dict) -> None:
    seeds = result["seeds"]
    print(f"Held-out scripts, seeds {seeds[0]}-{seeds[-1]} ({len(seeds)} runs per script)\n")
    for pid, per in result["personas"].items():
        print(pid)
        print(f"  {'kind':<10} {'resolved':>9} {'mean score':>11}  outcomes / scores")
        for kind in KINDS:
            if kind not in per:
                continue
            k = per[kind]
            outs = ", ".join(f"{o} {n}" for o, n in k["outcomes"].items())
            scores = " ".join(str(r["score"]) for r in k["runs"])
            print(f"  {kind:<10} {k['resolve_rate']:>8.0%} {k['mean_score']:>11.1f}  {outs} | {scores}")
        print(f"  excellent > robotic > hostile: {'yes' if per['ordered'] else 'NO'}\n")
    t = result["totals"]
    print("Totals")
    print(f"  {'kind':<10} {'resolved':>9} {'mean score':>11}  runs")
    for kind in KINDS:
        if kind in t:
            print(f"  {kind:<10} {t[kind]['resolve_rate']:>8.0%} {t[kind]['mean_score']:>11.1f}  {t[kind]['runs']}")
    print(f"  ordered excellent > robotic > hostile: {t['ordered_personas']}/{t['personas']} personas")


def main(argv: list[str] | None = None) -> int:
    global SCRIPTS
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--seeds", default="1-5", help="seeds, e.g. 1-5 or 1,3,7 (default 1-5)")
    ap.add_argument("--persona", action="append", help="only this persona id (repeatable)")
    ap.add_argument("--personas", help="persona folder or file passed to hotseat (default: its own)")
    ap.add_argument("--subprocess", action="store_true",
                    help="run each simulation as a `hotseat` subprocess instead of in-process")
    ap.add_argument("--set", default=str(SCRIPTS.relative_to(ROOT)), metavar="DIR",
                    help="the held-out set: a folder of <persona>/{excellent,robotic,hostile}.txt "
                         "(default: tests/data/heldout_scripts; the second set is tests/data/heldout_scripts_2)")
    args = ap.parse_args(argv)
    SCRIPTS = (ROOT / args.set).resolve()  # read by heldout_personas() and run()
    result = run(heldout_personas(args.persona), parse_seeds(args.seeds), args.subprocess, args.personas)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print_table(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
