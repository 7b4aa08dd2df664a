"""Charts: valid, small, readable PNGs with alt text, drawn off the event loop."""

from __future__ import annotations

import asyncio
import struct
import subprocess
import sys
import time
from io import BytesIO
from pathlib import Path

import pytest

from bot.debrief import charts
from bot.debrief.charts import Chart, ProgressPoint, mood_timeline, progress, render, skill_radar, sparkline
from bot.debrief.scoring import DIMENSIONS

ROOT = Path(__file__).resolve().parents[1]
DIMS = {"empathy": 75, "listening": 62, "ownership": 45, "solution": 80, "professionalism": 90, "closing": 35}
MIN_BYTES, MAX_BYTES = 5_000, 300_000


def _size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert png[12:16] == b"IHDR"
    return struct.unpack(">II", png[16:24])


def _pixels(png: bytes):
    import matplotlib.image

    return matplotlib.image.imread(BytesIO(png), format="png")


def _points(n: int, start: float = 1_780_000_000) -> list[ProgressPoint]:
    out = []
    for i in range(n):
        base = 30 + (i * 50) // max(1, n)
        wobble = (i * 37) % 21 - 10
        out.append(ProgressPoint(
            at=start + i * 6 * 3600,
            score=max(0, min(100, base + wobble)),
            dimensions={d: max(0, min(100, base + k * 5 + wobble)) for k, d in enumerate(DIMENSIONS)},
        ))
    return out


def _draw(kind: str, theme: str) -> Chart:
    if kind == "timeline":
        return mood_timeline([74, 58, 46, 40, 31, 24, 22, 15], start=70, title="Dana", turning_points=(3,), theme=theme)
    if kind == "radar":
        return skill_radar(DIMS, title="Debrief", theme=theme)
    return progress(_points(40), title="Sam", theme=theme)


EXPECTED_SIZE = {"timeline": charts.WIDE, "radar": charts.SQUARE, "progress": charts.WIDE}


@pytest.mark.parametrize("theme", charts.THEMES)
@pytest.mark.parametrize("kind", ["timeline", "radar", "progress"])
def test_each_chart_is_a_small_nonblank_png_of_the_configured_size(kind: str, theme: str) -> None:
    chart = _draw(kind, theme)
    assert _size(chart.png) == EXPECTED_SIZE[kind]
    assert MIN_BYTES <= len(chart.png) <= MAX_BYTES, len(chart.png)
    px = _pixels(chart.png)
    assert px.shape[:2] == (EXPECTED_SIZE[kind][1], EXPECTED_SIZE[kind][0])
    assert px[..., :3].std() > 0.05, "chart looks blank"
    assert px[..., 3].min() == 1.0, "background must be opaque (readable in any client theme)"
    assert chart.filename.endswith(".png") and chart.alt


@pytest.mark.parametrize("kind", ["timeline", "radar", "progress"])
def test_dark_and_light_themes_differ_in_background_and_text(kind: str) -> None:
    light, dark = _pixels(_draw(kind, "light").png), _pixels(_draw(kind, "dark").png)
    # The corner pixel is background: white-ish in light, near-black in dark.
    assert light[0, 0, :3].mean() > 0.9
    assert dark[0, 0, :3].mean() < 0.2
    assert light.mean() > dark.mean() + 0.3


def test_same_input_gives_the_same_bytes() -> None:
    assert _draw("progress", "dark").png == _draw("progress", "dark").png
    assert _draw("timeline", "light").png == _draw("timeline", "light").png


def _contrast(a: str, b: str) -> float:
    def lum(h: str) -> float:
        c = [int(h[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        c = [x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4 for x in c]
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("theme", charts.THEMES)
def test_every_line_and_label_colour_has_contrast_on_its_background(theme: str) -> None:
    t = charts._THEMES[theme]
    assert _contrast(t.text, t.background) >= 7  # titles, labels, the score and anger lines
    assert _contrast(t.muted, t.background) >= 4.5  # axis labels (WCAG AA text)
    for dim in DIMENSIONS:
        assert _contrast(t.series[dim], t.background) >= 3, dim  # WCAG 1.4.11 non-text
    assert len(set(t.series.values())) == len(DIMENSIONS)


# --- alt text ----------------------------------------------------------------------------


def test_timeline_alt_names_the_turns_the_ends_and_the_biggest_drop() -> None:
    chart = mood_timeline([74, 56, 38, 30, 28, 25, 24, 22], start=70, title="t")
    assert chart.alt == (
        "Customer anger over 8 turns: from 70 (furious) to 22 (calm); "
        "biggest drop at turn 2 (-18); biggest rise at turn 1 (+4)."
    )
    flat = mood_timeline([50, 50], start=50, title="t")
    assert flat.alt == "Customer anger over 2 turns: from 50 (upset) to 50 (upset); no change along the way."


def test_radar_alt_lists_every_dimension_and_names_strongest_and_weakest() -> None:
    alt = skill_radar(DIMS, title="t").alt
    for dim, value in DIMS.items():
        assert f"{dim} {value}" in alt
    assert alt.index("empathy") < alt.index("listening") < alt.index("closing")  # debrief order
    assert "Strongest: professionalism (90); weakest: closing (35)." in alt
    tied = skill_radar({**DIMS, "solution": 90, "empathy": 35}, title="t").alt
    assert "Strongest: solution and professionalism (90); weakest: empathy and closing (35)." in tied


def test_progress_alt_states_count_dates_first_last_and_trend() -> None:
    day = 86400
    pts = [ProgressPoint(1_788_220_800 + i * day, s, DIMS) for i, s in enumerate([40, 45, 55, 60, 72])]
    alt = progress(list(reversed(pts)), title="t").alt  # order of input does not matter
    assert alt == (
        "Score over 5 sessions from 1 Sep 2026 to 5 Sep 2026: first 40, last 72, best 72; "
        "trending up (about +32 across the period)."
    )
    one = progress(pts[:1], title="t").alt
    assert one == "Score for 1 session on 1 Sep 2026: 40 out of 100."
    steady = progress([ProgressPoint(1_788_220_800 + i * day, 60, DIMS) for i in range(3)], title="t").alt
    assert "holding steady" in steady


# --- edge cases ---------------------------------------------------------------------------


def test_progress_with_one_and_with_a_thousand_sessions_stays_within_bounds() -> None:
    for n in (1, 1000):
        chart = progress(_points(n), title=f"{n}", theme="dark")
        assert _size(chart.png) == charts.WIDE
        assert MIN_BYTES <= len(chart.png) <= MAX_BYTES, (n, len(chart.png))
        assert _pixels(chart.png)[..., :3].std() > 0.05
    assert "Score over 1000 sessions" in chart.alt and "mean of every 40 sessions" in chart.alt


def test_progress_draws_a_gap_for_a_missing_dimension() -> None:
    pts = _points(3)
    pts[1] = ProgressPoint(pts[1].at, 50, {"empathy": 60})
    assert _size(progress(pts, title="t").png) == charts.WIDE


def test_a_long_conversation_still_draws() -> None:
    chart = mood_timeline([(i * 7) % 101 for i in range(40)], start=70, title="t", turning_points=(1, 40))
    assert _size(chart.png) == charts.WIDE


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: mood_timeline([], start=70, title="t"), "at least one turn"),
        (lambda: mood_timeline([120], start=70, title="t"), "0 to 100"),
        (lambda: mood_timeline([40], start=-1, title="t"), "start"),
        (lambda: mood_timeline([40, 30], start=70, title="t", turning_points=(3,)), "turning point 3"),
        (lambda: skill_radar({}, title="t"), "missing: empathy"),
        (lambda: skill_radar({**DIMS, "charm": 50}, title="t"), "unknown: charm"),
        (lambda: progress([], title="t"), "at least one"),
        (lambda: progress([ProgressPoint(0, 101)], title="t"), "score"),
        (lambda: skill_radar(DIMS, title="t", theme="solarized"), "unknown theme"),
    ],
)
def test_bad_input_is_a_clear_value_error(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


# --- sparkline ----------------------------------------------------------------------------


def test_sparkline_is_one_character_per_value_on_a_fixed_scale() -> None:
    assert sparkline([0, 100]) == "▁█"
    assert sparkline([]) == ""
    line = sparkline([70, 74, 58, 46, 40, 31, 24, 22, 15])
    assert len(line) == 9 and "\n" not in line
    assert sparkline([40, 40, 40]) == sparkline([40]) * 3 != "███"  # not stretched to the range
    assert sparkline(list(range(101))) == "".join(sorted(sparkline(list(range(101)))))  # monotone
    assert set(sparkline(list(range(101)))) == set(charts.SPARKS)  # every level reachable
    assert sparkline([-5, 150]) == "▁█"  # a meter clamps rather than crash the console


# --- the event loop ------------------------------------------------------------------------


async def test_render_draws_in_a_thread_while_the_loop_keeps_ticking() -> None:
    ticks: list[float] = []
    drawing = True

    async def ticker() -> None:
        while drawing:
            ticks.append(time.perf_counter())
            await asyncio.sleep(0.002)

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0)
    started = time.perf_counter()
    chart = await render(progress, _points(1000), title="big", theme="light")
    finished = time.perf_counter()
    drawing = False
    await task
    assert _size(chart.png) == charts.WIDE
    during = [t for t in ticks if started < t < finished]
    # A drawing on the loop itself would leave no tick between start and finish.
    assert len(during) >= 3, (len(during), finished - started)


async def test_renders_in_parallel_give_the_same_bytes_as_one_at_a_time() -> None:
    alone = _draw("radar", "dark").png
    together = await asyncio.gather(*(render(skill_radar, DIMS, title="Debrief", theme="dark") for _ in range(4)))
    assert all(c.png == alone for c in together)


def test_importing_the_module_does_not_import_matplotlib() -> None:
    code = "import sys, bot.debrief.charts; assert 'matplotlib' not in sys.modules, 'eager import'"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


# --- committed examples --------------------------------------------------------------------


def test_committed_docs_charts_are_what_the_generator_writes(tmp_path: Path) -> None:
    written = charts.write_docs(tmp_path)
    assert {p.name for p in written} == {p.name for p in (ROOT / "docs" / "charts").iterdir()}
    for path in written:
        committed = ROOT / "docs" / "charts" / path.name
        assert _looks_the_same(committed, path), (
            f"docs/charts/{path.name} is stale: run `python -m bot.debrief.charts --docs`"
        )


def _looks_the_same(a: Path, b: Path) -> bool:
    """Same text exactly; for PNGs the same size and nearly the same pixels, so another
    matplotlib release's antialiasing does not fail CI but a changed chart does."""
    if a.suffix != ".png":
        return a.read_text(encoding="utf-8") == b.read_text(encoding="utf-8")
    import numpy as np
    from matplotlib.image import imread

    x, y = imread(BytesIO(a.read_bytes())), imread(BytesIO(b.read_bytes()))
    return x.shape == y.shape and float(np.abs(x - y).mean()) < 0.01


def test_docs_entry_point_writes_into_the_given_folder(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot.debrief.charts", "--docs", "--out", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )
    assert "mood-timeline-dark.png" in result.stdout
    assert _looks_the_same(tmp_path / "progress-light.png", ROOT / "docs" / "charts" / "progress-light.png")
