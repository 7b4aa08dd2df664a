"""Debrief and progress charts as small PNGs, each with alt text, plus a console sparkline.

Three charts: the customer's anger across a conversation (`mood_timeline`), the six
debrief dimensions (`skill_radar`), and a trainee's score over many sessions
(`progress`). Each drawing function is pure and returns a `Chart`: the same input
always gives the same bytes, so the examples in docs/charts/ only change when the
drawing does (`python -m bot.debrief.charts --docs` rewrites them; a test checks they
are current).

Why the drawing looks the way it does:

* matplotlib is imported inside the functions, never at module level: importing it costs
  a few hundred milliseconds (more on a first run, when it builds its font cache), and
  the bot, the console and every test import bot.debrief without ever drawing.
* Only the object-oriented API (`Figure` + `FigureCanvasAgg`) is used. pyplot keeps a
  global registry of open figures and a current backend, which is neither thread-safe
  nor needed to write a PNG; creating the Agg canvas directly needs no display and no
  `matplotlib.use()`, so nothing global is changed for whoever else imports matplotlib.
* The background is opaque and theme-coloured, not transparent. Slack and Discord show
  an image on whatever colour the *viewer* picked, which the bot cannot know: a
  transparent chart with dark text vanishes in dark mode and one with light text
  vanishes in light mode. An opaque card reads in both modes of both apps; "dark" is
  offered so a team that lives in dark mode is not flashed by a white rectangle.
* Colours are the Okabe-Ito palette (distinguishable with the common colour-vision
  deficiencies), with lightness nudged per theme so every line has at least 3:1
  contrast against its background (WCAG 1.4.11, non-text contrast). Each dimension
  keeps its hue in every chart and theme. Bands are told apart by their labels too,
  not only by their tint.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

from bot.debrief.scoring import DIMENSIONS
from bot.vocab import FURIOUS, UPSET, band_of

if TYPE_CHECKING:  # pragma: no cover - typing only, keeps the import lazy
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

DPI = 100
WIDE = (800, 400)  # mood timeline and progress, in pixels
SQUARE = (500, 500)  # skill radar
THEMES: tuple[str, ...] = ("light", "dark")
SPARKS = "▁▂▃▄▅▆▇█"
MARKERS_UP_TO = 60  # progress: above this many sessions markers become noise, lines only

# matplotlib documents itself as not thread-safe, and the OO API still shares caches
# (fonts, text layout, rcParams) between figures. Drawing is short (tens of ms), so one
# chart at a time costs nothing noticeable and rules out interleaved state.
_DRAW_LOCK = threading.Lock()


@dataclass(frozen=True, slots=True)
class Chart:
    """A drawn chart: PNG bytes, the sentence a screen reader says instead, and the name
    to upload it under (Slack and Discord show the filename when an image fails)."""

    png: bytes
    alt: str
    filename: str


@dataclass(frozen=True, slots=True)
class ProgressPoint:
    """One finished session on a trainee's progress chart: when it started (unix seconds),
    its overall score and its dimension scores (a missing dimension is a gap in its line)."""

    at: float
    score: int
    dimensions: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Theme:
    background: str
    text: str
    muted: str
    grid: str
    series: Mapping[str, str]  # dimension -> line colour
    bands: tuple[str, str, str]  # calm, upset, furious tints
    band_alpha: float


# Okabe-Ito hues. Light: orange, sky blue and reddish purple darkened to reach 3.5:1 on
# white. Dark: blue lightened to reach 3.5:1 on #1E1F22. Yellow is left out: it has no
# contrast on white, and the six dimensions need only six hues.
_THEMES: Mapping[str, _Theme] = {
    "light": _Theme(
        background="#FFFFFF",
        text="#1A1A1A",
        muted="#555555",
        grid="#D4D4D4",
        series={
            "empathy": "#B67E00",
            "listening": "#4590BA",
            "ownership": "#009E73",
            "solution": "#0072B2",
            "professionalism": "#BC6F9A",
            "closing": "#D55E00",
        },
        bands=("#009E73", "#E69F00", "#D55E00"),
        band_alpha=0.13,
    ),
    "dark": _Theme(
        background="#1E1F22",
        text="#EDEDED",
        muted="#AAAAAA",
        grid="#3C3E44",
        series={
            "empathy": "#E69F00",
            "listening": "#56B4E9",
            "ownership": "#009E73",
            "solution": "#0F7AB7",
            "professionalism": "#CC79A7",
            "closing": "#D55E00",
        },
        bands=("#009E73", "#E69F00", "#D55E00"),
        band_alpha=0.22,
    ),
}


# --- helpers ---------------------------------------------------------------------------


def _theme(name: str) -> _Theme:
    try:
        return _THEMES[name]
    except KeyError:
        raise ValueError(f"unknown theme {name!r}; expected one of {', '.join(THEMES)}") from None


def _check_level(value: int, what: str) -> int:
    """Out-of-range scores mean a bug upstream; drawing them clipped would hide it."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 100:
        raise ValueError(f"{what} must be a number from 0 to 100, got {value!r}")
    return int(round(value))


def _figure(size: tuple[int, int], theme: _Theme) -> Figure:
    from matplotlib.figure import Figure

    w, h = size
    return Figure(figsize=(w / DPI, h / DPI), dpi=DPI, facecolor=theme.background, layout="constrained")


def _style(ax: Axes, theme: _Theme) -> None:
    ax.set_facecolor(theme.background)
    ax.tick_params(colors=theme.muted, labelcolor=theme.text, labelsize=9)
    for spine in ax.spines.values():
        spine.set_color(theme.grid)
    ax.grid(True, color=theme.grid, linewidth=0.8)
    ax.set_axisbelow(True)


def _png(fig: Figure) -> bytes:
    """Deterministic bytes: no software/version stamp, so equal input gives equal files."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buf = BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, facecolor=fig.get_facecolor(), metadata={"Software": None})
    return buf.getvalue()


def _signed(n: int, minus: str = "-") -> str:
    """'+4', '-18', '0'. Alt text keeps the ASCII hyphen-minus, which screen readers,
    search and copy-paste all handle; the picture uses the typographic minus sign."""
    return f"+{n}" if n > 0 else (f"{minus}{-n}" if n < 0 else "0")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _and(items: Sequence[str]) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _day(ts: float) -> str:
    """Dates in UTC: the chart must not depend on the server's time zone."""
    d = datetime.fromtimestamp(ts, tz=timezone.utc)
    return f"{d.day} {d:%b %Y}"


# --- mood timeline -----------------------------------------------------------------------


def _mood_alt(levels: list[int]) -> str:
    n = len(levels) - 1
    first, last = levels[0], levels[-1]
    text = (
        f"Customer anger over {_plural(n, 'turn')}: from {first} ({band_of(first)}) "
        f"to {last} ({band_of(last)})"
    )
    deltas = [levels[i] - levels[i - 1] for i in range(1, len(levels))]
    drop = min(deltas)
    rise = max(deltas)
    parts = []
    if drop < 0:
        parts.append(f"biggest drop at turn {deltas.index(drop) + 1} ({_signed(drop)})")
    if rise > 0:
        parts.append(f"biggest rise at turn {deltas.index(rise) + 1} ({_signed(rise)})")
    if not parts:
        parts.append("no change along the way")
    return text + "; " + "; ".join(parts) + "."


def mood_timeline(
    moods: Sequence[int],
    *,
    start: int,
    title: str,
    turning_points: Sequence[int] = (),
    theme: str = "light",
) -> Chart:
    """The customer's anger (0-100) from the opening line through every turn, over the
    calm, upset and furious bands the engine speaks from.

    `start` is the anger of the opening line (plotted as turn 0); `moods[i]` is the anger
    after the trainee's turn i+1 (Turn.mood). `turning_points` are turn numbers (1-based)
    to ring and label with their change. A conversation with no turns raises ValueError:
    a flat dot is nothing to post, so callers skip the chart instead.
    """
    t = _theme(theme)
    if not moods:
        raise ValueError("mood_timeline needs at least one turn; the trainee never replied")
    levels = [_check_level(start, "start")] + [_check_level(m, f"moods[{i}]") for i, m in enumerate(moods)]
    n = len(moods)
    for tp in turning_points:
        if isinstance(tp, bool) or not isinstance(tp, int) or not 1 <= tp <= n:
            raise ValueError(f"turning point {tp!r} is not a turn of this conversation (1-{n})")

    with _DRAW_LOCK:
        from matplotlib.ticker import MaxNLocator

        fig = _figure(WIDE, t)
        ax = fig.add_subplot()
        _style(ax, t)
        ax.grid(True, axis="y", color=t.grid, linewidth=0.8)
        ax.grid(False, axis="x")
        for (lo, hi), tint, name in zip(((0, UPSET), (UPSET, FURIOUS), (FURIOUS, 100)), t.bands, ("calm", "upset", "furious")):
            ax.axhspan(lo, hi, color=tint, alpha=t.band_alpha, linewidth=0)
            ax.text(
                1.005, (lo + hi) / 2, name, transform=ax.get_yaxis_transform(), va="center", ha="left",
                color=t.text, fontsize=9,
            )
        xs = list(range(n + 1))
        ax.plot(xs, levels, color=t.text, linewidth=2.2, marker="o" if n <= 40 else None, markersize=4.5, zorder=3)
        for tp in sorted(set(turning_points)):
            delta = levels[tp] - levels[tp - 1]
            ax.plot([tp], [levels[tp]], marker="o", markersize=13, markerfacecolor="none",
                    markeredgecolor=t.series["closing"], markeredgewidth=2, zorder=4)
            ax.annotate(
                _signed(delta, "\u2212"), (tp, levels[tp]), xytext=(0, 12 if delta <= 0 else -18), textcoords="offset points",
                ha="center", color=t.text, fontsize=9, fontweight="bold", zorder=5,
            )
        ax.set_ylim(0, 100)
        ax.set_yticks([0, UPSET, FURIOUS, 100])
        ax.set_xlim(-0.3, n + 0.3)
        if n <= 30:
            ax.set_xticks(xs, ["open"] + [str(i) for i in xs[1:]])
        else:
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("turn", color=t.muted, fontsize=9)
        ax.set_ylabel("anger", color=t.muted, fontsize=9)
        ax.set_title(_fit_title(title), color=t.text, fontsize=12, loc="left")
        png = _png(fig)
    return Chart(png=png, alt=_mood_alt(levels), filename="mood-timeline.png")


# --- skill radar ------------------------------------------------------------------------


def _check_dimensions(dimensions: Mapping[str, int]) -> list[int]:
    missing = [d for d in DIMENSIONS if d not in dimensions]
    extra = sorted(set(dimensions) - set(DIMENSIONS))
    if missing or extra:
        raise ValueError(
            "skill_radar needs exactly the six dimensions "
            f"({', '.join(DIMENSIONS)}); missing: {', '.join(missing) or 'none'}; unknown: {', '.join(extra) or 'none'}"
        )
    return [_check_level(dimensions[d], d) for d in DIMENSIONS]


def _radar_alt(values: list[int]) -> str:
    listed = ", ".join(f"{d} {v}" for d, v in zip(DIMENSIONS, values))
    hi, lo = max(values), min(values)
    if hi == lo:
        return f"Skill scores out of 100: all six dimensions at {hi}."
    best = [d for d, v in zip(DIMENSIONS, values) if v == hi]
    worst = [d for d, v in zip(DIMENSIONS, values) if v == lo]
    return f"Skill scores out of 100: {listed}. Strongest: {_and(best)} ({hi}); weakest: {_and(worst)} ({lo})."


TITLE_CHARS = 70  # a persona name at the loader's limit must not squeeze the plot to nothing


def _fit_title(title: str, limit: int = TITLE_CHARS) -> str:
    return title if len(title) <= limit else title[: limit - 1] + "…"


def skill_radar(dimensions: Mapping[str, int], *, title: str, theme: str = "light") -> Chart:
    """The six debrief dimensions (0-100) on one radar, in the debrief's order, so the
    shape of a trainee's handling (strong on empathy, weak on closing) shows at a glance.
    Requires exactly the six dimensions of scoring.DIMENSIONS."""
    t = _theme(theme)
    values = _check_dimensions(dimensions)
    with _DRAW_LOCK:
        fig = _figure(SQUARE, t)
        ax = fig.add_subplot(projection="polar")
        ax.set_facecolor(t.background)
        ax.set_theta_zero_location("N")  # first dimension at the top, then clockwise
        ax.set_theta_direction(-1)
        angles = [2 * math.pi * i / len(DIMENSIONS) for i in range(len(DIMENSIONS))]
        closed_a, closed_v = angles + angles[:1], values + values[:1]
        ax.fill(closed_a, closed_v, color=t.series["solution"], alpha=0.25, zorder=2)
        ax.plot(closed_a, closed_v, color=t.series["solution"], linewidth=2.2, zorder=3)
        for a, v, d in zip(angles, values, DIMENSIONS):
            ax.plot([a], [v], marker="o", markersize=7, color=t.series[d], zorder=4,
                    markeredgecolor=t.background, markeredgewidth=1)
        ax.set_ylim(0, 100)
        ax.set_yticks([20, 40, 60, 80, 100], ["20", "40", "60", "80", "100"], color=t.muted, fontsize=8)
        ax.set_rlabel_position(360 / len(DIMENSIONS) / 2)  # ring labels between two axes
        ax.set_xticks(angles, [f"{d}\n{v}" for d, v in zip(DIMENSIONS, values)], color=t.text, fontsize=10)
        ax.set_xlim(0, 2 * math.pi)
        ax.tick_params(axis="x", pad=8)
        ax.grid(True, color=t.grid, linewidth=0.8)
        ax.spines["polar"].set_color(t.grid)
        ax.set_title(_fit_title(title, TITLE_CHARS // 2), color=t.text, fontsize=12, pad=14)
        png = _png(fig)
    return Chart(png=png, alt=_radar_alt(values), filename="skill-radar.png")


# --- progress ---------------------------------------------------------------------------


def _window(n: int) -> int:
    """Sessions per running mean: 1 (raw, with markers) up to MARKERS_UP_TO sessions, then
    about a 25th of the run, so 1,000 noisy sessions read as a trend, not a solid block."""
    return 1 if n <= MARKERS_UP_TO else max(2, n // 25)


def _rolling(values: list[float], window: int) -> list[float]:
    """Trailing mean over `window` values, skipping gaps (NaN); NaN where all are gaps."""
    if window == 1:
        return values
    out = []
    for i in range(len(values)):
        chunk = [v for v in values[max(0, i - window + 1): i + 1] if not math.isnan(v)]
        out.append(sum(chunk) / len(chunk) if chunk else math.nan)
    return out


def _trend(scores: list[int]) -> float:
    """Least-squares change across the whole run: first and last alone are one lucky or
    unlucky session each, the fitted line is what a lead means by 'improving'."""
    n = len(scores)
    mx = (n - 1) / 2
    my = sum(scores) / n
    sxx = sum((i - mx) ** 2 for i in range(n))
    slope = sum((i - mx) * (s - my) for i, s in enumerate(scores)) / sxx
    return slope * (n - 1)


def _progress_alt(points: list[ProgressPoint], scores: list[int]) -> str:
    n = len(points)
    if n == 1:
        return f"Score for 1 session on {_day(points[0].at)}: {scores[0]} out of 100."
    change = round(_trend(scores))
    if abs(change) < 3:
        trend = "holding steady"
    else:
        trend = f"trending {'up' if change > 0 else 'down'} (about {_signed(change)} across the period)"
    return (
        f"Score over {n} sessions from {_day(points[0].at)} to {_day(points[-1].at)}: "
        f"first {scores[0]}, last {scores[-1]}, best {max(scores)}; {trend}."
        + (f" Lines show the mean of every {_window(n)} sessions." if _window(n) > 1 else "")
    )


def progress(points: Sequence[ProgressPoint], *, title: str, theme: str = "light") -> Chart:
    """A trainee's overall score (bold) and six dimensions (thin) session by session.

    Points are drawn in time order whatever order they come in. One session shows as a
    single marked point. Past MARKERS_UP_TO sessions the markers go and every line
    becomes a running mean (the raw score stays as faint noise behind it), and the date
    locator thins the ticks, so 1,000 sessions stay legible and small. The alt text says
    when lines are averaged. No points raises ValueError.
    """
    t = _theme(theme)
    if not points:
        raise ValueError("progress needs at least one finished session")
    pts = sorted(points, key=lambda p: p.at)
    scores = [_check_level(p.score, "score") for p in pts]
    dims = {d: [float(_check_level(p.dimensions[d], d)) if d in p.dimensions else math.nan for p in pts]
            for d in DIMENSIONS}
    with _DRAW_LOCK:
        from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

        xs = [datetime.fromtimestamp(p.at, tz=timezone.utc) for p in pts]
        fig = _figure(WIDE, t)
        ax = fig.add_subplot()
        _style(ax, t)
        n = len(pts)
        window = _window(n)
        marker = "o" if window == 1 else None
        for d in DIMENSIONS:
            ax.plot(xs, _rolling(dims[d], window), color=t.series[d], linewidth=1.0, alpha=0.9,
                    marker=marker, markersize=2.5, label=d, zorder=2)
        if window > 1:
            # The raw score stays visible as a faint band of noise behind its running mean.
            ax.plot(xs, scores, color=t.text, linewidth=0.5, alpha=0.25, zorder=2)
        label = "score" if window == 1 else f"score (mean of {window})"
        ax.plot(xs, _rolling([float(s) for s in scores], window), color=t.text, linewidth=2.4,
                marker=marker, markersize=5, label=label, zorder=3)
        if n == 1:
            from datetime import timedelta

            ax.set_xlim(xs[0] - timedelta(days=3), xs[0] + timedelta(days=3))
        locator = AutoDateLocator(minticks=3, maxticks=8, tz=timezone.utc)
        ax.xaxis.set_major_locator(locator)
        formatter = ConciseDateFormatter(locator, tz=timezone.utc)
        ax.xaxis.set_major_formatter(formatter)
        ax.xaxis.get_offset_text().set_color(t.muted)
        ax.set_ylim(0, 100)
        ax.set_ylabel("score", color=t.muted, fontsize=9)
        ax.set_title(_fit_title(title), color=t.text, fontsize=12, loc="left")
        fig.legend(
            loc="outside lower center", ncols=len(DIMENSIONS) + 1, frameon=False, fontsize=8,
            labelcolor=t.text, handlelength=1.6, columnspacing=1.2,
        )
        png = _png(fig)
    return Chart(png=png, alt=_progress_alt(pts, scores), filename="progress.png")


# --- async and console ------------------------------------------------------------------


async def render(fn: Callable[..., Chart], /, *args: Any, **kwargs: Any) -> Chart:
    """Draw a chart in a worker thread: drawing and PNG encoding take tens to hundreds
    of milliseconds of CPU (seconds on the very first call, which imports matplotlib),
    and on the event loop that would stall every other trainee's conversation, Slack's
    3-second acknowledgement deadline and Discord's heartbeat."""
    return await asyncio.to_thread(fn, *args, **kwargs)


def sparkline(moods: Sequence[int]) -> str:
    """One block character per value on a fixed 0-100 scale (0 -> ▁, 100 -> █), so a
    line of 40s looks mid-height rather than stretched to full range: the console shows
    how angry the customer is, not how much the anger varied. Empty input gives "";
    values are clamped, since a meter should not crash a session."""
    top = len(SPARKS) - 1
    return "".join(SPARKS[min(top, max(0, int(m)) * len(SPARKS) // 101)] for m in moods)


# --- docs examples ------------------------------------------------------------------------

DOCS_DIR = Path(__file__).resolve().parents[2] / "docs" / "charts"

_EXAMPLE_OPENING = 70
_EXAMPLE_MOODS = (74, 58, 46, 40, 31, 24, 22, 15)
_EXAMPLE_TURNING = (3, 5)
_EXAMPLE_DIMENSIONS = {
    "empathy": 75, "listening": 62, "ownership": 45, "solution": 80, "professionalism": 90, "closing": 35,
}


def _example_progress() -> list[ProgressPoint]:
    """Forty sessions over about three months, improving with practice. A fixed formula,
    not a random generator, so the example never depends on a library's RNG."""
    start = 1_788_220_800  # 1 Sep 2026 00:00 UTC
    out = []
    for i in range(40):
        wobble = ((i * 37) % 11) - 5  # -5..5, deterministic
        base = 40 + i
        dims = {
            d: max(0, min(100, base + 8 * math.sin(i / 3 + k) + wobble + (k - 2) * 4))
            for k, d in enumerate(DIMENSIONS)
        }
        out.append(ProgressPoint(
            at=start + i * 2.3 * 86400,
            score=max(0, min(100, round(base * 0.9 + wobble + 6))),
            dimensions={d: round(v) for d, v in dims.items()},
        ))
    return out


def docs_examples() -> dict[str, Chart]:
    """Every chart in every theme on fixed example data, keyed by the file name in docs/charts/."""
    out: dict[str, Chart] = {}
    for theme in THEMES:
        out[f"mood-timeline-{theme}.png"] = mood_timeline(
            _EXAMPLE_MOODS, start=_EXAMPLE_OPENING, title="Dana Whitfield · double billing",
            turning_points=_EXAMPLE_TURNING, theme=theme,
        )
        out[f"skill-radar-{theme}.png"] = skill_radar(_EXAMPLE_DIMENSIONS, title="Debrief: 68/100", theme=theme)
        out[f"progress-{theme}.png"] = progress(_example_progress(), title="Sam · last 3 months", theme=theme)
    return out


def write_docs(out_dir: Path = DOCS_DIR) -> list[Path]:
    """Write the example PNGs, plus index.md with each image's alt text."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    lines = [
        "# Chart examples",
        "",
        "Generated by `python -m bot.debrief.charts --docs`; do not edit by hand.",
        "",
    ]
    for name, chart in docs_examples().items():
        path = out_dir / name
        path.write_bytes(chart.png)
        written.append(path)
        lines.append(f"![{chart.alt}]({name})")
        lines.append("")
    index = out_dir / "index.md"
    index.write_text("\n".join(lines), encoding="utf-8")
    written.append(index)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.debrief.charts", description=__doc__.splitlines()[0])
    parser.add_argument("--docs", action="store_true", help="write the example charts to docs/charts/")
    parser.add_argument("--out", type=Path, default=DOCS_DIR, help="folder for --docs (default: docs/charts/)")
    args = parser.parse_args(argv)
    if not args.docs:
        parser.print_help()
        return 1
    for path in write_docs(args.out):
        print(path)
    return 0


__all__ = [
    "Chart", "ProgressPoint", "THEMES", "docs_examples", "mood_timeline", "progress", "render",
    "skill_radar", "sparkline", "write_docs",
]

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
