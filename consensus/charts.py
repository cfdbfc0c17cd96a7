"""Accessible line charts drawn as SVG on the server: no script, no external resource.

Pure: data and already-translated words in, SVG text out. Each series is a
step line (a support level holds until the next change), told apart by its
dash pattern and its colour and named in a legend; the caller adds a data
table next to the chart for those who cannot see it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape

WIDTH = 720
HEIGHT = 360
LEFT = 64  # room for the level labels and the vertical axis label
RIGHT = 24
TOP = 16
BOTTOM = 272  # the horizontal axis; below it the time labels, the axis label, the legend
PLOT_WIDTH = WIDTH - LEFT - RIGHT
PLOT_HEIGHT = BOTTOM - TOP
LEVEL_TICKS = (0.0, 0.25, 0.5, 0.75, 1.0)
TIME_TICKS = 4


@dataclass(frozen=True)
class LineStyle:
    colour: str  # at least 4.5:1 against white
    dash: str | None  # SVG stroke-dasharray; None draws a solid line


# Three lines that differ in dash pattern as well as colour, so colour is never the only cue.
LINE_STYLES: tuple[LineStyle, ...] = (
    LineStyle(colour="#1d4f91", dash=None),
    LineStyle(colour="#a34a00", dash="10 6"),
    LineStyle(colour="#7a3e9d", dash="2 5"),
)


@dataclass(frozen=True)
class Series:
    """One line: a name for the legend and levels (0 to 1) that hold from each instant on."""

    key: str  # a class name for the line: letters, digits and dashes
    name: str
    points: Sequence[tuple[datetime, float]]  # oldest first


def level_y(level: float) -> float:
    """The vertical coordinate of a level from 0 (the axis) to 1 (the top)."""
    return round(BOTTOM - max(0.0, min(1.0, level)) * PLOT_HEIGHT, 1)


def _time_x(at: datetime, start: datetime, end: datetime) -> float:
    span = (end - start).total_seconds()
    if span <= 0:
        return float(LEFT)
    return round(LEFT + (at - start).total_seconds() / span * PLOT_WIDTH, 1)


def step_path(points: Sequence[tuple[datetime, float]], *, start: datetime, end: datetime) -> str:
    """The path of a step line: each level drawn from its instant to the next one, then to ``end``.

    One vertical move (``V``) per point after the first, even when the level
    stays the same, so the path carries every point of the series.
    """
    if not points:
        return ""
    first_at, first_level = points[0]
    parts = [f"M{_time_x(first_at, start, end)},{level_y(first_level)}"]
    for at, level in points[1:]:
        parts.append(f"H{_time_x(at, start, end)}V{level_y(level)}")
    parts.append(f"H{_time_x(end, start, end)}")
    return " ".join(parts)


def _text(x: float, y: float, content: str, *, anchor: str = "start", extra: str = "") -> str:
    return (
        f'<text x="{x}" y="{y}" text-anchor="{anchor}"{extra}>{escape(content, quote=False)}</text>'
    )


def _time_ticks(start: datetime, end: datetime) -> list[datetime]:
    if end <= start:
        return [start]
    step = (end - start) / (TIME_TICKS - 1)
    return [start + step * index for index in range(TIME_TICKS)]


def step_chart_svg(
    *,
    element_id: str,
    title: str,
    description: str,
    x_label: str,
    y_label: str,
    series: Sequence[Series],
    start: datetime,
    end: datetime,
    format_time: Callable[[datetime], str],
    format_level: Callable[[float], str],
) -> str:
    """An SVG step chart of levels over time, from ``start`` to ``end``.

    The SVG is an image named by its ``<title>`` and described by its
    ``<desc>`` (``element_id`` makes their ids unique in the page); it has
    both axes with their labels, one path per series (class ``line-<key>``)
    and a legend showing each line's pattern. Every text is escaped.
    """
    if len(series) > len(LINE_STYLES):
        raise ValueError(f"at most {len(LINE_STYLES)} series can be told apart")
    ident = escape(element_id)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{ident}" role="img" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" aria-labelledby="{ident}-title {ident}-desc" '
        'font-size="13" font-family="system-ui, sans-serif">',
        f'<title id="{ident}-title">{escape(title, quote=False)}</title>',
        f'<desc id="{ident}-desc">{escape(description, quote=False)}</desc>',
        '<g class="grid" stroke="#b1b4b6" stroke-width="1">',
    ]
    for level in LEVEL_TICKS[1:]:
        y = level_y(level)
        out.append(f'<line x1="{LEFT}" y1="{y}" x2="{LEFT + PLOT_WIDTH}" y2="{y}"/>')
    out.append("</g>")
    out.append('<g class="axes" stroke="#1b1b1b" stroke-width="1.5">')
    out.append(f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{BOTTOM}"/>')
    out.append(f'<line x1="{LEFT}" y1="{BOTTOM}" x2="{LEFT + PLOT_WIDTH}" y2="{BOTTOM}"/>')
    out.append("</g>")
    out.append('<g class="ticks" fill="#1b1b1b">')
    for level in LEVEL_TICKS:
        out.append(
            _text(LEFT - 8, level_y(level) + 4, format_level(level), anchor="end"),
        )
    ticks = _time_ticks(start, end)
    for index, at in enumerate(ticks):
        anchor = "start" if index == 0 else "end" if index == len(ticks) - 1 else "middle"
        out.append(_text(_time_x(at, start, end), BOTTOM + 20, format_time(at), anchor=anchor))
    out.append("</g>")
    out.append(
        _text(LEFT + PLOT_WIDTH / 2, BOTTOM + 44, x_label, anchor="middle", extra=' class="label"')
    )
    middle = TOP + PLOT_HEIGHT / 2
    out.append(
        _text(
            16,
            middle,
            y_label,
            anchor="middle",
            extra=f' class="label" transform="rotate(-90 16 {middle})"',
        )
    )
    out.append('<g class="lines" fill="none" stroke-width="3">')
    for item, style in zip(series, LINE_STYLES, strict=False):
        dash = f' stroke-dasharray="{style.dash}"' if style.dash else ""
        path = step_path(item.points, start=start, end=end)
        out.append(
            f'<path class="line line-{escape(item.key)}" d="{path}" stroke="{style.colour}"{dash}>'
            f"<title>{escape(item.name, quote=False)}</title></path>"
        )
    out.append("</g>")
    out.append('<g class="legend" fill="#1b1b1b">')
    legend_y = BOTTOM + 72
    column = PLOT_WIDTH / max(len(series), 1)
    for index, (item, style) in enumerate(zip(series, LINE_STYLES, strict=False)):
        x = round(LEFT + index * column, 1)
        dash = f' stroke-dasharray="{style.dash}"' if style.dash else ""
        out.append(
            f'<line x1="{x}" y1="{legend_y - 4}" x2="{x + 40}" y2="{legend_y - 4}" '
            f'stroke="{style.colour}" stroke-width="3"{dash}/>'
        )
        out.append(_text(x + 48, legend_y, item.name))
    out.append("</g>")
    out.append("</svg>")
    return "".join(out)
