"""A declaration's text: paragraphs, brackets, the diff between two versions, phrase search.

Pure Python (the standard library only): no Django, no database. Everything
that reads or compares declaration language calls this module: the services,
the selectors, the API, the pages and the benchmark.

- **Paragraphs** are separated by blank lines (a line holding only whitespace
  counts as blank); a paragraph's text is stripped of surrounding whitespace.
- **Brackets**: text between ``[`` and ``]`` is not yet agreed. Brackets nest;
  brackets written side by side with nothing between them (``[decisive][key]``)
  are alternatives for the same place.
- **The diff** aligns paragraphs (unchanged ones first, in order; then moved
  ones; then edited ones by word similarity) and compares an edited paragraph
  word by word.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

# A blank line: a newline, optional whitespace, another newline (and any more blank lines).
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
# Words (with inner apostrophes and hyphens), runs of whitespace, and single other
# characters (punctuation, brackets): together they cover every character.
_TOKEN = re.compile(r"\w+(?:['\u2019\-]\w+)*|\s+|[^\w\s]")  # \u2019: typographic apostrophe
_WORD = re.compile(r"\w+")

# Two paragraphs at least this similar are one paragraph edited, not one removed and
# another added. Similarity is the mean of two Dice coefficients: of the sets of
# words (shared vocabulary) and of the sets of adjacent word pairs (shared
# phrasing), so paragraphs that merely use the same words in another order,
# as paragraphs on one subject do, stay apart.
SIMILARITY_THRESHOLD = 0.4

Status = Literal["same", "changed", "added", "removed"]
OpTag = Literal["equal", "insert", "delete"]
Op = tuple[OpTag, str]


def newlines_normalize(text: str) -> str:
    """The text with Windows and old Mac line endings turned into ``\\n``."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Where each paragraph is in ``text``: ``(start, end)`` offsets of its stripped text."""
    spans: list[tuple[int, int]] = []
    start = 0
    for separator in _PARAGRAPH_BREAK.finditer(text):
        _span_add(spans, text, start, separator.start())
        start = separator.end()
    _span_add(spans, text, start, len(text))
    return spans


def _span_add(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    chunk = text[start:end]
    stripped = chunk.strip()
    if stripped:
        left = start + (len(chunk) - len(chunk.lstrip()))
        spans.append((left, left + len(stripped)))


def paragraphs_split(text: str) -> list[str]:
    """The paragraphs of a text, in order, each stripped of surrounding whitespace."""
    return [text[start:end] for start, end in paragraph_spans(text)]


def paragraph_replace(text: str, index: int, new: str) -> str:
    """The text with paragraph ``index`` (from 1) replaced; every other character kept."""
    spans = paragraph_spans(text)
    if not 1 <= index <= len(spans):
        raise IndexError(f"no paragraph {index}: the text has {len(spans)}")
    start, end = spans[index - 1]
    return text[:start] + new + text[end:]


# Brackets --------------------------------------------------------------------------


@dataclass(frozen=True)
class Bracket:
    """A place in a paragraph that is not agreed: one bracket, or alternatives side by side.

    ``start`` is the offset of the first ``[`` in the paragraph (from 0), ``end``
    the offset just after the last ``]``, and ``text`` the paragraph between them;
    ``depth`` is 1 for outermost brackets, 2 for brackets inside them, and so
    on. ``alternatives`` are the texts inside each bracket of the group (one
    for a lone bracket).
    """

    start: int
    end: int
    depth: int
    text: str
    alternatives: tuple[str, ...]


@dataclass(frozen=True)
class BracketProblem:
    """An unbalanced bracket: a ``]`` that closes nothing, or a ``[`` never closed.

    ``paragraph`` counts from 1 and ``position`` (the character within the
    paragraph) from 1, as a reader counts.
    """

    paragraph: int
    position: int
    closing: bool


@dataclass(frozen=True)
class _Pair:
    start: int
    end: int
    depth: int


def _bracket_scan(paragraph: str) -> tuple[list[_Pair], list[int], list[int]]:
    """Bracket pairs, offsets of ``]`` closing nothing, offsets of ``[`` never closed."""
    pairs: list[_Pair] = []
    stray_closing: list[int] = []
    open_at: list[int] = []
    for offset, char in enumerate(paragraph):
        if char == "[":
            open_at.append(offset)
        elif char == "]":
            if open_at:
                start = open_at.pop()
                pairs.append(_Pair(start=start, end=offset + 1, depth=len(open_at) + 1))
            else:
                stray_closing.append(offset)
    return pairs, stray_closing, open_at


def brackets_find(paragraph: str) -> list[Bracket]:
    """The bracket groups of a paragraph, by position; balanced brackets assumed.

    Brackets that do not pair up are left out: check with ``brackets_check`` first.
    """
    pairs, _, _ = _bracket_scan(paragraph)
    pairs.sort(key=lambda pair: pair.start)
    groups: list[list[_Pair]] = []
    open_groups: dict[tuple[int, int], list[_Pair]] = {}  # (depth, end) -> its group
    for pair in pairs:
        # Side by side at the same depth: alternatives for the same place.
        group = open_groups.pop((pair.depth, pair.start), None)
        if group is None:
            group = []
            groups.append(group)
        group.append(pair)
        open_groups[(pair.depth, pair.end)] = group
    return [
        Bracket(
            start=group[0].start,
            end=group[-1].end,
            depth=group[0].depth,
            text=paragraph[group[0].start : group[-1].end],
            alternatives=tuple(paragraph[p.start + 1 : p.end - 1] for p in group),
        )
        for group in groups
    ]


def bracket_count(brackets: Iterable[Bracket]) -> int:
    """How many brackets (``[...]`` pairs) the groups hold: alternatives count one each."""
    return sum(len(bracket.alternatives) for bracket in brackets)


def brackets_check(paragraphs: Sequence[str]) -> list[BracketProblem]:
    """Every unbalanced bracket in the paragraphs, in reading order (empty if balanced)."""
    problems: list[BracketProblem] = []
    for index, paragraph in enumerate(paragraphs, start=1):
        _, stray_closing, never_closed = _bracket_scan(paragraph)
        problems.extend(
            sorted(
                [BracketProblem(index, offset + 1, closing=True) for offset in stray_closing]
                + [BracketProblem(index, offset + 1, closing=False) for offset in never_closed],
                key=lambda problem: problem.position,
            )
        )
    return problems


def bracket_depths(text: str, depth: int = 0) -> tuple[list[tuple[str, int]], int]:
    """The text cut where its bracket depth changes, and the depth at its end.

    Pieces are ``(piece, depth)``, brackets included: a ``[`` and the text
    after it are at the inner depth; a ``]`` is at the depth of the text it
    closes. ``depth`` is the depth at the start (a diff op in the middle of a
    paragraph may start inside a bracket).
    """
    pieces: list[tuple[str, int]] = []
    current: list[str] = []
    current_depth = depth

    def flush() -> None:
        if current:
            pieces.append(("".join(current), current_depth))
            current.clear()

    for char in text:
        if char == "[":
            flush()
            depth += 1
            current_depth = depth
            current.append(char)
        elif char == "]":
            current.append(char)
            flush()
            depth = max(depth - 1, 0)
            current_depth = depth
        else:
            current.append(char)
    flush()
    return pieces, depth


# The diff ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ParagraphDiff:
    """One paragraph of the diff.

    ``from_index`` and ``to_index`` count from 1 (``None`` for an added or a
    removed paragraph). A paragraph moved unchanged is ``same`` with two
    different indexes. Joining the ``equal`` and ``delete`` texts of ``ops``
    gives the old paragraph; joining ``equal`` and ``insert``, the new one.
    ``moved`` marks the fewest kept paragraphs whose moves explain the new
    order (a paragraph only shifted by additions or removals did not move).
    """

    status: Status
    from_index: int | None
    to_index: int | None
    ops: tuple[Op, ...]
    moved: bool = False

    @property
    def old_text(self) -> str:
        return "".join(text for tag, text in self.ops if tag != "insert")

    @property
    def new_text(self) -> str:
        return "".join(text for tag, text in self.ops if tag != "delete")


@dataclass(frozen=True)
class TextDiff:
    """The diff of two texts: every paragraph of both, in the new text's order.

    A removed paragraph comes right after the paragraph that preceded it in
    the old text.
    """

    paragraphs: tuple[ParagraphDiff, ...]

    @property
    def summary(self) -> dict[Status, int]:
        counts: dict[Status, int] = {"same": 0, "changed": 0, "added": 0, "removed": 0}
        for paragraph in self.paragraphs:
            counts[paragraph.status] += 1
        return counts


def words_diff(old: str, new: str) -> tuple[Op, ...]:
    """The word-by-word difference of two paragraphs, as ``(tag, text)`` ops.

    Adjacent ops never share a tag, and a delete comes before the insert that
    replaces it. Whitespace and punctuation alone between two changes are folded
    into them, so a rewritten phrase reads as one deletion and one insertion.
    """
    if old == new:
        return (("equal", old),) if old else ()
    before = _pieces(old)
    after = _pieces(new)
    # Words are compared without the whitespace after them (a line break where
    # there was a space is no change of wording); no autojunk: frequent words
    # ("the", "of") are what keeps the others aligned.
    matcher = difflib.SequenceMatcher(
        None, [key for key, _ in before], [key for key, _ in after], autojunk=False
    )
    ops: list[Op] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("delete", "replace"):
            ops.append(("delete", "".join(text for _, text in before[i1:i2])))
        if tag in ("insert", "replace"):
            ops.append(("insert", "".join(text for _, text in after[j1:j2])))
        if tag == "equal":
            for (key, old_text), (_, new_text) in zip(before[i1:i2], after[j1:j2], strict=True):
                if old_text == new_text:
                    ops.append(("equal", old_text))
                else:  # the same word, other whitespace after it
                    ops.extend(
                        (
                            ("equal", key),
                            ("delete", old_text[len(key) :]),
                            ("insert", new_text[len(key) :]),
                        )
                    )
    return tuple(_ops_merge(_ops_fold_filler(_ops_merge(ops))))


def _pieces(paragraph: str) -> list[tuple[str, str]]:
    """``(key, text)``: each word or other character with the whitespace after it as its text.

    Whitespace at the very start is a piece of its own, with an empty key.
    """
    pieces: list[tuple[str, str]] = []
    for token in _TOKEN.findall(paragraph):
        if token[0].isspace() or not token.strip():
            if pieces:
                key, text = pieces[-1]
                pieces[-1] = (key, text + token)
            else:
                pieces.append(("", token))
        else:
            pieces.append((token, token))
    return pieces


def _ops_fold_filler(ops: list[Op]) -> list[Op]:
    """Fold an equal run without a word (spaces, punctuation) between two changes into them."""
    result: list[Op] = []
    for position, (tag, text) in enumerate(ops):
        between_changes = 0 < position < len(ops) - 1 and "equal" not in (
            ops[position - 1][0],
            ops[position + 1][0],
        )
        if tag == "equal" and between_changes and not _WORD.search(text):
            result.extend((("delete", text), ("insert", text)))
        else:
            result.append((tag, text))
    return result


def _ops_merge(ops: list[Op]) -> list[Op]:
    """Each run of changes as one delete then one insert; adjacent equal runs as one."""
    merged: list[Op] = []
    deleted: list[str] = []
    inserted: list[str] = []

    def flush_changes() -> None:
        old, new = "".join(deleted), "".join(inserted)
        # Whitespace that ends both sides of a replacement is unchanged: show it as such.
        shared = 0
        while (
            shared < min(len(old), len(new))
            and old[-1 - shared] == new[-1 - shared]
            and old[-1 - shared].isspace()
        ):
            shared += 1
        if len(old) > shared:
            merged.append(("delete", old[: len(old) - shared]))
        if len(new) > shared:
            merged.append(("insert", new[: len(new) - shared]))
        if shared:
            merged.append(("equal", old[len(old) - shared :]))
        deleted.clear()
        inserted.clear()

    for tag, text in ops:
        if not text:
            continue
        if tag == "delete":
            deleted.append(text)
        elif tag == "insert":
            inserted.append(text)
        else:
            flush_changes()
            if merged and merged[-1][0] == "equal":
                merged[-1] = ("equal", merged[-1][1] + text)
            else:
                merged.append(("equal", text))
    flush_changes()
    return merged


@dataclass(frozen=True)
class _Shingles:
    words: frozenset[str]
    pairs: frozenset[str]  # adjacent words, joined by a space


def _shingles(paragraph: str) -> _Shingles:
    words = _WORD.findall(paragraph.lower())
    pairs = frozenset(f"{a} {b}" for a, b in itertools.pairwise(words))
    return _Shingles(words=frozenset(words), pairs=pairs)


def _dice(a: frozenset[str], b: frozenset[str]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def _similarity(a: _Shingles, b: _Shingles) -> float:
    """From 0.0 (nothing shared) to 1.0 (the same words in the same order)."""
    words = _dice(a.words, b.words)
    if not a.pairs or not b.pairs:  # a one-word paragraph has no pairs
        return words
    return (words + _dice(a.pairs, b.pairs)) / 2


def _pairs_in_order(
    olds: list[int],
    news: list[int],
    old_words: list[_Shingles],
    new_words: list[_Shingles],
) -> list[tuple[int, int]]:
    """The order-keeping pairing of similar paragraphs with the greatest total similarity."""
    if not olds or not news:
        return []
    rows, cols = len(olds), len(news)
    similar = [[_similarity(old_words[i], new_words[j]) for j in news] for i in olds]  # rows x cols
    # best[r][c]: the best total for olds[r:] and news[c:].
    best = [[0.0] * (cols + 1) for _ in range(rows + 1)]
    for r in range(rows - 1, -1, -1):
        for c in range(cols - 1, -1, -1):
            score = max(best[r + 1][c], best[r][c + 1])
            if similar[r][c] >= SIMILARITY_THRESHOLD:
                score = max(score, similar[r][c] + best[r + 1][c + 1])
            best[r][c] = score
    pairs: list[tuple[int, int]] = []
    r = c = 0
    while r < rows and c < cols:
        if (
            similar[r][c] >= SIMILARITY_THRESHOLD
            and best[r][c] == similar[r][c] + best[r + 1][c + 1]
        ):
            pairs.append((olds[r], news[c]))
            r, c = r + 1, c + 1
        elif best[r][c] == best[r + 1][c]:
            r += 1
        else:
            c += 1
    return pairs


def paragraphs_align(old: Sequence[str], new: Sequence[str]) -> list[tuple[int | None, int | None]]:
    """Pair the paragraphs of two texts (offsets from 0; ``None`` where there is no partner).

    1. Unchanged paragraphs in the same order (the longest matching runs).
    2. Unchanged paragraphs that moved.
    3. Between two unchanged runs, edited paragraphs: similar pairs, keeping
       their order, with the greatest total similarity.
    4. Edited paragraphs that also moved: the most similar pairs left.
    What is left was removed (old) or added (new).
    """
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    old_partner: dict[int, int] = {}
    new_partner: dict[int, int] = {}

    def pair(i: int, j: int) -> None:
        old_partner[i] = j
        new_partner[j] = i

    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            pair(block.a + k, block.b + k)

    unmatched_old_by_text: dict[str, list[int]] = {}
    for i, text in enumerate(old):
        if i not in old_partner:
            unmatched_old_by_text.setdefault(text, []).append(i)
    for j, text in enumerate(new):
        if j not in new_partner and unmatched_old_by_text.get(text):
            pair(unmatched_old_by_text[text].pop(0), j)

    old_words = [_shingles(p) for p in old]
    new_words = [_shingles(p) for p in new]
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        olds = [i for i in range(i1, i2) if i not in old_partner]
        news = [j for j in range(j1, j2) if j not in new_partner]
        for i, j in _pairs_in_order(olds, news, old_words, new_words):
            pair(i, j)

    candidates = sorted(
        (
            (-similarity, i, j)
            for i in range(len(old))
            if i not in old_partner
            for j in range(len(new))
            if j not in new_partner
            and (similarity := _similarity(old_words[i], new_words[j])) >= SIMILARITY_THRESHOLD
        ),
    )
    for _, i, j in candidates:
        if i not in old_partner and j not in new_partner:
            pair(i, j)

    aligned: list[tuple[int | None, int | None]] = [
        (new_partner.get(j), j) for j in range(len(new))
    ]
    aligned.extend((i, None) for i in range(len(old)) if i not in old_partner)
    return aligned


def _in_order(sequence: Sequence[int]) -> set[int]:
    """Positions of a longest increasing subsequence (patience sorting, n log n)."""
    tails: list[int] = []  # tails[k]: position ending the best run of length k + 1
    previous: list[int | None] = [None] * len(sequence)
    for position, value in enumerate(sequence):
        low, high = 0, len(tails)
        while low < high:
            middle = (low + high) // 2
            if sequence[tails[middle]] < value:
                low = middle + 1
            else:
                high = middle
        previous[position] = tails[low - 1] if low else None
        if low == len(tails):
            tails.append(position)
        else:
            tails[low] = position
    kept: set[int] = set()
    cursor = tails[-1] if tails else None
    while cursor is not None:
        kept.add(cursor)
        cursor = previous[cursor]
    return kept


def text_diff(old_text: str, new_text: str) -> TextDiff:
    """The diff of two texts, paragraph by paragraph and, inside a changed one, word by word."""
    old = paragraphs_split(old_text)
    new = paragraphs_split(new_text)
    entries: list[tuple[tuple[int, int, int], ParagraphDiff]] = []
    placed_after: dict[int, int] = {}  # old offset -> the new offset it is shown next to
    aligned = paragraphs_align(old, new)
    kept: list[tuple[int, int]] = []  # in the new text's order
    for i, j in aligned:
        if i is not None and j is not None:
            kept.append((i, j))
    in_order = {kept[position][1] for position in _in_order([i for i, _ in kept])}
    for i, j in kept:
        placed_after[i] = j
    for i, j in aligned:
        if i is not None and j is not None:
            status: Status = "same" if old[i] == new[j] else "changed"
            ops = words_diff(old[i], new[j])
            entries.append(
                ((j, 0, 0), ParagraphDiff(status, i + 1, j + 1, ops, moved=j not in in_order))
            )
        elif j is not None:
            entries.append(((j, 0, 0), ParagraphDiff("added", None, j + 1, (("insert", new[j]),))))
        elif i is not None:
            # Right after the new place of the nearest old paragraph before it that was kept.
            anchor = next((placed_after[k] for k in range(i - 1, -1, -1) if k in placed_after), -1)
            entries.append(
                ((anchor, 1, i), ParagraphDiff("removed", i + 1, None, (("delete", old[i]),)))
            )
    entries.sort(key=lambda entry: entry[0])
    return TextDiff(paragraphs=tuple(paragraph for _, paragraph in entries))


class DiffMismatch(ValueError):
    """The diff does not apply to this text."""


def diff_apply(old_text: str, diff: TextDiff) -> str:
    """The new text rebuilt from the old one and the diff, paragraphs joined by a blank line.

    Every ``equal`` and ``delete`` op must match the old paragraph it names,
    character for character, and every old paragraph must be used exactly
    once; otherwise ``DiffMismatch``.
    """
    old = paragraphs_split(old_text)
    used: set[int] = set()
    rebuilt: dict[int, str] = {}
    for paragraph in diff.paragraphs:
        source = ""
        if paragraph.from_index is not None:
            if not 1 <= paragraph.from_index <= len(old) or paragraph.from_index in used:
                raise DiffMismatch(f"old paragraph {paragraph.from_index} unknown or used twice")
            used.add(paragraph.from_index)
            source = old[paragraph.from_index - 1]
        position = 0
        output: list[str] = []
        for tag, text in paragraph.ops:
            if tag in ("equal", "delete"):
                if not source.startswith(text, position):
                    raise DiffMismatch(f"{tag} {text!r} is not in old paragraph at {position}")
                position += len(text)
            if tag in ("equal", "insert"):
                output.append(text)
        if position != len(source):
            raise DiffMismatch(f"old paragraph {paragraph.from_index} not wholly accounted for")
        if paragraph.to_index is not None:
            rebuilt[paragraph.to_index] = "".join(output)
    if used != set(range(1, len(old) + 1)):
        raise DiffMismatch("some old paragraphs are missing from the diff")
    if set(rebuilt) != set(range(1, len(rebuilt) + 1)):
        raise DiffMismatch("the new paragraphs are not numbered 1 to n")
    return "\n\n".join(rebuilt[index] for index in sorted(rebuilt))


# Phrases ----------------------------------------------------------------------------


def phrase_pattern(phrase: str) -> re.Pattern[str] | None:
    """A pattern finding the phrase as whole words, any case, any whitespace between words.

    ``None`` for a phrase without any non-space character.
    """
    words = phrase.split()
    if not words:
        return None
    body = r"\s+".join(re.escape(word) for word in words)
    # Whole words: no letter may touch a phrase that starts or ends with one.
    head = r"(?<!\w)" if _WORD.match(words[0][0]) else ""
    tail = r"(?!\w)" if _WORD.match(words[-1][-1]) else ""
    return re.compile(head + body + tail, re.IGNORECASE)


def phrase_paragraphs(pattern: re.Pattern[str], paragraphs: Sequence[str]) -> list[int]:
    """The paragraphs (from 1) in which the phrase occurs."""
    return [index for index, text in enumerate(paragraphs, start=1) if pattern.search(text)]


def phrase_prefilter_word(phrase: str) -> str | None:
    """The longest word of the phrase, to narrow a database search; ``None`` if unsafe.

    Databases fold case reliably only for ASCII (SQLite's LIKE), so a phrase
    whose longest word is not plain ASCII gets no pre-filter.
    """
    words = phrase.split()
    if not words:
        return None
    longest = max(words, key=len)
    return longest if longest.isascii() else None
