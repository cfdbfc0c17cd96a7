"""HTML for declaration text on the pages: brackets marked, insertions and deletions marked.

Neither relies on colour alone: a bracketed passage keeps its brackets (shown
bold) and is underlined with dots; an insertion is underlined and a deletion
struck through, each opened and closed by words that screen readers read out.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from consensus.declarations.text import Op, bracket_depths

_OPEN = '<span class="bracket-mark">[</span>'
_CLOSE = '<span class="bracket-mark">]</span>'


def _pieces_html(text: str, depth: int) -> tuple[str, int]:
    pieces, end_depth = bracket_depths(text, depth)
    html = []
    for piece, piece_depth in pieces:
        # Escaping leaves "[" and "]" alone, so the marks can be put in afterwards.
        escaped = str(escape(piece)).replace("[", _OPEN).replace("]", _CLOSE)
        if piece_depth:
            html.append(f'<span class="bracketed" data-depth="{piece_depth}">{escaped}</span>')
        else:
            html.append(escaped)
    return "".join(html), end_depth


def text_marked(text: str) -> SafeString:
    """A paragraph as HTML, its brackets marked."""
    html, _depth = _pieces_html(text, 0)
    return mark_safe(html)  # built from escaped text and fixed markup


def ops_marked(ops: Iterable[Op], *, side: str) -> SafeString:
    """One side of a changed paragraph as HTML: ``old`` (with deletions) or ``new`` (insertions)."""
    skipped = "insert" if side == "old" else "delete"
    html: list[str] = []
    depth = 0
    for tag, text in ops:
        if tag == skipped:
            continue
        piece, depth = _pieces_html(text, depth)
        if tag == "insert":
            html.append(
                format_html(
                    '<ins><span class="visually-hidden">{} </span>{}'
                    '<span class="visually-hidden"> {}</span></ins>',
                    _("[insertion begins]"),
                    mark_safe(piece),  # escaped above
                    _("[insertion ends]"),
                )
            )
        elif tag == "delete":
            html.append(
                format_html(
                    '<del><span class="visually-hidden">{} </span>{}'
                    '<span class="visually-hidden"> {}</span></del>',
                    _("[deletion begins]"),
                    mark_safe(piece),  # escaped above
                    _("[deletion ends]"),
                )
            )
        else:
            html.append(piece)
    return mark_safe("".join(html))  # built from escaped text and fixed markup
