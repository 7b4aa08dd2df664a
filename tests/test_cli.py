"""The `hotseat` command as evaluation scripts and trainers call it: a real process,
real files, stable JSON shapes."""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "tests" / "data" / "scripts"


def hotseat(
    *args: str, stdin: str | None = None, env: dict | None = None, cwd: Path = ROOT
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True, timeout=60,
        cwd=cwd, env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
    )


def test_classify_reads_arguments_or_stdin_and_keeps_order() -> None:
    out = hotseat("classify", "I'm so sorry about that.", "Calm down.")
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["text"] for r in rows] == ["I'm so sorry about that.", "Calm down."]
    assert "apology" in rows[0]["labels"] and "dismissive" in rows[1]["labels"]
    out = hotseat("classify", stdin="Could you share your order number?\n\nThat's our mistake.\n")
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["labels"] for r in rows] == [["question"], [], ["ownership"]]


def simulate(name: str, tmp_path: Path, seed: int = 1) -> dict:
    out = hotseat("simulate", "double-billing", "--script", str(SCRIPTS / f"{name}.txt"), "--seed", str(seed), "--json",
                  "--db", str(tmp_path / f"{name}.sqlite3"))
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_simulate_scores_follow_the_quality_of_handling(tmp_path: Path) -> None:
    excellent, robotic, hostile = (simulate(n, tmp_path) for n in ("excellent", "robotic", "hostile"))
    assert excellent["outcome"] == "resolved"
    assert hostile["outcome"] in ("escalated", "customer_left")
    e, r, h = (x["debrief"]["score"] for x in (excellent, robotic, hostile))
    assert e >= r + 15 and r >= h + 10, (e, r, h)
    assert excellent["debrief"]["style"] == "collaborating"
    assert hostile["debrief"]["style"] in ("competing", "avoiding")
    turn = excellent["turns"][0]
    assert set(turn) == {"trainee", "labels", "customer", "state", "mood"}
    assert set(excellent["debrief"]["dimensions"]) >= {"empathy", "listening", "ownership", "solution", "professionalism", "closing"}


def test_simulate_is_reproducible_with_a_seed(tmp_path: Path) -> None:
    a = simulate("excellent", tmp_path / "a", seed=5)
    b = simulate("excellent", tmp_path / "b", seed=5)
    assert a == b


def test_simulate_without_db_leaves_the_default_database_alone(tmp_path: Path) -> None:
    env = {"HOTSEAT_DB": ""}
    out = hotseat("simulate", "double-billing", "--script", str(SCRIPTS / "robotic.txt"), "--json", env=env)
    assert out.returncode == 0 and json.loads(out.stdout)["outcome"] in ("unfinished", "customer_left")


def test_simulate_unknown_persona_is_a_clear_error(tmp_path: Path) -> None:
    out = hotseat("simulate", "nobody", "--script", str(SCRIPTS / "robotic.txt"), "--db", str(tmp_path / "x.sqlite3"))
    assert out.returncode == 1 and "no persona called 'nobody'" in out.stderr and "Traceback" not in out.stderr


def test_personas_list_json() -> None:
    rows = json.loads(hotseat("personas", "list", "--json").stdout)
    assert len(rows) >= 10 and {"id", "name", "difficulty"} <= set(rows[0])


def test_personas_validate_names_file_line_and_fix(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text((ROOT / "personas" / "double-billing.yaml").read_text().replace("to: heard", "to: herd", 1))
    out = hotseat("personas", "validate", str(bad), str(ROOT / "personas" / "late-delivery.yaml"))
    assert out.returncode == 1
    assert f"{bad}:" in out.stderr and "'herd' is not a state" in out.stderr and "Did you mean 'heard'" in out.stderr
    assert "1 persona(s) valid, 1 file(s) with problems" in out.stdout
    assert hotseat("personas", "validate").returncode == 0


def test_personas_graph_is_mermaid() -> None:
    out = hotseat("personas", "graph", "double-billing")
    assert out.stdout.startswith("stateDiagram-v2") and "[*] --> upset" in out.stdout and "resolved --> [*]" in out.stdout


def test_eval_classifier_prints_per_label_scores() -> None:
    out = hotseat("eval-classifier", str(ROOT / "tests" / "data" / "behaviours-dev.jsonl"))
    assert out.returncode == 0
    for label in ("empathy", "stonewall", "micro"):
        assert label in out.stdout


@pytest.mark.parametrize("make_bad", ["file_as_parent", "directory", "garbage"])
def test_a_database_that_cannot_be_opened_is_a_clear_error(tmp_path: Path, make_bad: str) -> None:
    if make_bad == "file_as_parent":
        (tmp_path / "afile").write_text("x")
        db = tmp_path / "afile" / "db.sqlite3"
    elif make_bad == "directory":
        db = tmp_path / "adir"
        db.mkdir()
    else:
        db = tmp_path / "garbage.sqlite3"
        db.write_bytes(b"this is not a database at all" * 100)
    out = hotseat("leaderboard", "--db", str(db))
    assert out.returncode == 2
    assert str(db) in out.stderr and "Traceback" not in out.stderr


def test_hotseat_db_environment_variable_is_used(tmp_path: Path) -> None:
    db = tmp_path / "env.sqlite3"
    hotseat("simulate", "double-billing", "--script", str(SCRIPTS / "excellent.txt"), env={"HOTSEAT_DB": str(db)})
    assert db.exists()
    out = hotseat("history", "simulator", env={"HOTSEAT_DB": str(db)})
    assert "Dana Whitfield" in out.stdout and "resolved" in out.stdout


def test_console_plays_a_whole_session_from_the_terminal(tmp_path: Path) -> None:
    db = str(tmp_path / "c.sqlite3")
    script = "/hint\n" + (SCRIPTS / "excellent.txt").read_text()
    out = hotseat("console", "double-billing", "--seed", "1", "--user", "ana", "--db", db, stdin=script)
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "Dana Whitfield" in text and "anger" in text and "tip:" in text
    assert "Debrief" in text and "Score:" in text and "Tips:" in text or "Best lines" in text


def test_console_resumes_after_quitting(tmp_path: Path) -> None:
    db = str(tmp_path / "c.sqlite3")
    first = hotseat("console", "double-billing", "--seed", "1", "--user", "ana", "--db", db,
                    stdin="I'm so sorry about the double charge.\n/quit\n")
    assert "resumes next time" in first.stdout
    second = hotseat("console", "--user", "ana", "--db", db, stdin="y\n/end\n")
    assert "in progress (1 turn)" in second.stdout and "Debrief" in second.stdout


def test_resuming_shows_who_the_customer_is_before_their_last_line(tmp_path: Path) -> None:
    db = str(tmp_path / "c.sqlite3")
    hotseat("console", "double-billing", "--seed", "1", "--user", "ana", "--db", db, stdin="Hello.\n/quit\n")
    again = hotseat("console", "--user", "ana", "--db", db, stdin="/quit\n").stdout
    resumed = again.split("Resume it?", 1)[1]
    assert "── Dana Whitfield" in resumed and "StreamBox" in resumed  # the header and brief, as at the start
    assert resumed.index("StreamBox") < resumed.index("Dana Whitfield: ")  # before the customer speaks


def test_declining_to_resume_an_unplayed_session_leaves_nothing_in_history(tmp_path: Path) -> None:
    db = str(tmp_path / "c.sqlite3")
    hotseat("console", "double-billing", "--user", "ana", "--db", db, stdin="/quit\n")  # opened, never played
    declined = hotseat("console", "--user", "ana", "--db", db, stdin="n\n\n/quit\n")
    assert "(0 turns)" in declined.stdout and "Debrief" not in declined.stdout
    history = json.loads(hotseat("history", "ana", "--workspace", "local", "--db", db, "--json").stdout)
    assert [s["status"] for s in history] == ["active"]  # only the new one it went on to start


def test_a_mistyped_console_command_is_not_sent_to_the_customer(tmp_path: Path) -> None:
    db = str(tmp_path / "c.sqlite3")
    out = hotseat("console", "double-billing", "--user", "ana", "--db", db, stdin="/hnt\n/quit\n").stdout
    assert "Unknown command '/hnt'" in out and "/hint" in out.split("Unknown command", 1)[1]
    history = json.loads(hotseat("history", "ana", "--workspace", "local", "--db", db, "--json").stdout)
    assert history[0]["turns"] == 0  # nothing reached the customer


def test_ctrl_c_in_the_console_leaves_at_once_and_keeps_the_conversation(tmp_path: Path) -> None:
    import signal
    import time

    db = str(tmp_path / "c.sqlite3")
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "console", "double-billing", "--user", "ana", "--db", db],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        proc.stdin.write("I'm so sorry about the double charge.\n")
        proc.stdin.flush()  # and then nothing more: the console waits at its prompt
        deadline = time.monotonic() + 30
        while not _turns_saved(db) and time.monotonic() < deadline:
            time.sleep(0.1)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)  # before the fix it waited for the next Enter, forever
    finally:
        proc.kill()
    assert "resumes next time" in out and "Traceback" not in err
    assert proc.returncode == 130
    history = json.loads(hotseat("history", "ana", "--workspace", "local", "--db", db, "--json").stdout)
    assert [(s["status"], s["turns"]) for s in history] == [("active", 1)]


def _turns_saved(db: str) -> int:
    import sqlite3

    if not Path(db).exists():
        return 0
    try:
        with sqlite3.connect(db) as conn:
            return conn.execute("SELECT count(*) FROM turns").fetchone()[0]
    except sqlite3.Error:
        return 0


def test_leaderboard_and_history_json_read_the_database(tmp_path: Path) -> None:
    db = str(tmp_path / "lb.sqlite3")
    for seed in range(3):
        hotseat("simulate", "double-billing", "--script", str(SCRIPTS / "excellent.txt"), "--seed", str(seed), "--db", db)
    board = json.loads(hotseat("leaderboard", "all", "--db", db, "--json").stdout)
    assert [r["user"] for r in board["rows"]] == ["simulator"] and board["rows"][0]["sessions"] == 3
    past = json.loads(hotseat("history", "simulator", "--db", db, "--json").stdout)
    assert len(past) == 3 and {p["outcome"] for p in past} == {"resolved"}


def test_a_dotenv_file_in_the_working_directory_is_read_by_every_command(tmp_path: Path) -> None:
    db = tmp_path / "from-dotenv.sqlite3"
    (tmp_path / ".env").write_text(f'HOTSEAT_DB="{db}"\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "HOTSEAT_DB"}
    script = str(SCRIPTS / "excellent.txt")
    subprocess.run([sys.executable, "-m", "bot", "simulate", "double-billing", "--script", script],
                   cwd=tmp_path, env={**env, "PYTHONPATH": str(ROOT)}, check=True, capture_output=True, timeout=60)
    out = subprocess.run([sys.executable, "-m", "bot", "history", "simulator"], cwd=tmp_path, capture_output=True,
                         text=True, env={**env, "PYTHONPATH": str(ROOT)}, timeout=60)
    assert db.exists() and "Dana Whitfield" in out.stdout


@pytest.mark.parametrize(
    "platform, missing", [("slack", "SLACK_BOT_TOKEN"), ("discord", "DISCORD_TOKEN")]
)
def test_run_without_a_token_says_which_setting_is_missing(tmp_path: Path, platform: str, missing: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_"))}
    empty = tmp_path / "empty.env"
    empty.write_text("", encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-m", "bot", "run", platform, "--env-file", str(empty), "--db", str(tmp_path / "x.sqlite3")],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, env={**env, "PYTHONPATH": str(ROOT)},
    )
    assert out.returncode == 2
    assert f"hotseat: {missing} is not set." in out.stderr and "Traceback" not in out.stderr


def test_run_when_slack_cannot_be_reached_says_so_without_a_traceback(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_"))}
    env |= {"SLACK_BOT_TOKEN": "xoxb-111-222-secretpart", "SLACK_APP_TOKEN": "xapp-1-A1-secretpart",
            "SLACK_API_URL": "http://127.0.0.1:9/api/", "PYTHONPATH": str(ROOT)}  # nothing listens on port 9
    out = subprocess.run([sys.executable, "-m", "bot", "run", "slack", "--db", str(tmp_path / "x.sqlite3")],
                         cwd=tmp_path, capture_output=True, text=True, timeout=60, env=env)
    assert out.returncode == 2 and "hotseat: cannot reach Slack" in out.stderr
    assert "Traceback" not in out.stderr and "secretpart" not in out.stderr


# -- rough edges a new user meets (issue 10, item 4) -----------------------------------
def test_common_options_work_before_and_after_the_subcommand(tmp_path: Path) -> None:
    from bot.cli import parser

    for argv in (["--db", "X", "leaderboard"], ["leaderboard", "--db", "X"],
                 ["personas", "--db", "X", "list"], ["personas", "list", "--db", "X"]):
        assert parser().parse_args(argv).db == "X", argv
    db = tmp_path / "before.sqlite3"
    out = hotseat("--db", str(db), "leaderboard", "all", "--json")
    assert out.returncode == 0, out.stderr
    assert db.exists() and json.loads(out.stdout)["rows"] == []
    one, two = (str(ROOT / "personas" / f"{p}.yaml") for p in ("double-billing", "late-delivery"))
    for argv in (["--personas", one, "personas", "list"], ["personas", "--personas", one, "list"],
                 ["personas", "list", "--personas", one]):
        out = hotseat(*argv, "--json")
        assert out.returncode == 0, (argv, out.stderr)
        assert [r["id"] for r in json.loads(out.stdout)] == ["double-billing"], argv
    out = hotseat("--personas", one, "personas", "--personas", two, "list", "--json")  # given twice: both count
    assert sorted(r["id"] for r in json.loads(out.stdout)) == ["double-billing", "late-delivery"]


def test_personas_graph_and_validate_take_an_id_or_a_path(tmp_path: Path) -> None:
    path = str(ROOT / "personas" / "double-billing.yaml")
    by_path = hotseat("personas", "graph", path)
    assert by_path.returncode == 0 and by_path.stdout == hotseat("personas", "graph", "double-billing").stdout
    out = hotseat("personas", "validate", "double-billing", str(ROOT / "personas" / "late-delivery.yaml"))
    assert out.returncode == 0 and "2 persona(s) valid, 0 file(s) with problems" in out.stdout, out.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text(Path(path).read_text().replace("to: heard", "to: herd", 1))
    out = hotseat("personas", "graph", str(bad))
    assert out.returncode == 1 and f"{bad}:" in out.stderr and "'herd' is not a state" in out.stderr
    for action in ("graph", "validate"):
        out = hotseat("personas", action, "nobody")
        assert out.returncode == 1, (action, out.stdout)
        assert "'nobody' is neither a persona id nor a file" in out.stderr and "double-billing" in out.stderr
        out = hotseat("personas", action, str(tmp_path / "missing.yaml"))
        assert out.returncode == 1 and "missing.yaml" in out.stderr and "does not exist" in out.stderr, action
        assert "Traceback" not in out.stderr


def _parsers(p: argparse.ArgumentParser, name: str = "hotseat"):
    yield name, p
    for action in p._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub, q in action.choices.items():
                yield from _parsers(q, f"{name} {sub}")


def test_every_subcommand_and_flag_is_described() -> None:
    from bot.cli import parser

    walked = list(_parsers(parser()))
    assert len(walked) >= 13  # hotseat, nine commands, personas list/validate/graph
    for name, p in walked:
        assert p.description and "\n" not in p.description.strip(), f"{name}: no one-line description"
        for action in p._actions:
            what = "/".join(action.option_strings) or action.dest
            assert action.help and action.help.strip(), f"{name} {what}: no help text"
            for choice in getattr(action, "_choices_actions", []):
                assert choice.help, f"{name} {choice.dest}: no help in the command list"
    page = hotseat("personas", "graph", "--help").stdout
    assert dict(walked)["hotseat personas graph"].description in page


@pytest.mark.parametrize("what, says", [("missing.jsonl", "does not exist"), ("", "is a folder")])
def test_eval_classifier_on_an_unreadable_file_says_so_plainly(tmp_path: Path, what: str, says: str) -> None:
    target = tmp_path / what
    out = hotseat("eval-classifier", str(target))
    assert out.returncode in (1, 2)
    assert str(target) in out.stderr and says in out.stderr
    assert "Errno" not in out.stderr and "Traceback" not in out.stderr


# A repository path: a backticked word or link target with a folder in it and a file
# extension or a closing slash ("bot/cli.py", "data/behaviours/heldout/").
_REPO_PATH = re.compile(r"[\w.-]+(?:/[\w.*-]+)+/?")


def _mentioned_paths(line: str) -> list[str]:
    words = [w for span in re.findall(r"`([^`]+)`", line) for w in span.split()]
    words += re.findall(r"\]\(([^)#\s]+)", line)
    found = []
    for word in words:
        word = word.strip("'\"(),;:")
        if "://" in word or not _REPO_PATH.fullmatch(word):
            continue
        if word.endswith("/") or "." in word.rsplit("/", 1)[-1]:
            found.append(word)
    return found


def _exists(path: str) -> bool:
    if "*" in path:
        return any(ROOT.glob(path))
    head, _, last = path.rstrip("/").rpartition("/")
    if last.split(".")[0].isupper():  # a placeholder such as data/behaviours/train/FILE.jsonl
        return (ROOT / head).is_dir()
    return (ROOT / path).exists()


def test_repository_paths_in_the_docs_exist() -> None:
    """A doc copied from elsewhere may name a path of its home repository, as long as an
    italic note in it says where that file lives here. README.md is left out while it is
    being rewritten."""
    docs = sorted((ROOT / "docs").glob("*.md"))
    assert docs
    missing = []
    for doc in docs:
        lines = doc.read_text(encoding="utf-8").splitlines()
        notes = [ln.strip() for ln in lines if re.fullmatch(r"(\*[^*].*\*|_[^_].*_)", ln.strip())]
        explained = {p for note in notes if any(_exists(q) for q in _mentioned_paths(note))
                     for p in _mentioned_paths(note)}
        for n, line in enumerate(lines, start=1):
            missing += [f"{doc.name}:{n}: {p}" for p in _mentioned_paths(line) if not _exists(p) and p not in explained]
    assert not missing, "paths that are not in this repository:\n" + "\n".join(missing)


def test_personas_test_runs_a_cases_file_and_prints_each_case() -> None:
    cases = ROOT / "personas" / "double-billing.yaml"  # a persona file is a cases file too
    out = hotseat("personas", "test", "double-billing", "--cases", str(cases))
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.startswith("double-billing (") and "  ✓ an excellent agent resolves it\n" in out.stdout
    assert out.stdout.rstrip().endswith("0 failed, 0 known failure(s).")
    data = json.loads(hotseat("personas", "test", "--cases", str(cases), "--json").stdout)  # persona named by the file
    assert data["ok"] is True and data["personas"][0]["id"] == "double-billing" and data["summary"]["fail"] == 0


def test_personas_test_exit_codes(tmp_path: Path) -> None:
    wrong = tmp_path / "double-billing.yaml"
    wrong.write_text('tests:\n  - name: rude resolves\n    lines: ["Calm down, you idiot."]\n    outcome: resolved\n')
    out = hotseat("personas", "test", "--cases", str(wrong))
    assert out.returncode == 1 and "✗ rude resolves" in out.stdout and "1. you> Calm down, you idiot." in out.stdout
    wrong.write_text("tests:\n  - name: a\n    lines: [Hi]\n    outcome: [resolved, gone]\n")
    out = hotseat("personas", "test", "--cases", str(wrong))
    assert out.returncode == 2 and f"{wrong}:4:" in out.stderr and "Traceback" not in out.stderr
