"""Benchmark: the diff of two 60-paragraph, 6,000-word versions of a declaration.

Run from the project root:

    .venv/bin/python bench/bench_diff.py [--repeat 50] [--seed 2024]

Prints the median time of ``text_diff`` (paragraph alignment plus word diffs)
and, measured in the same process on the same texts, the median time of a
baseline: difflib's ``SequenceMatcher`` over the words of the whole texts
(``get_opcodes``), the obvious way to diff two texts with the standard library.
The ratio (ours / baseline) is what to compare between machines. The texts
are generated (seeded): version 2 edits 15 paragraphs word by word, adds 3,
drops 2 and moves 2, about what one reading of a summit declaration changes
(``--edited 60`` edits every paragraph: a harder case).
"""

from __future__ import annotations

import argparse
import difflib
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from consensus.declarations.text import paragraphs_split, text_diff

VOCABULARY = [
    "Allies",
    "Alliance",
    "security",
    "defence",
    "deterrence",
    "Russia",
    "Ukraine",
    "PRC",
    "partnership",
    "war",
    "support",
    "enabler",
    "decisive",
    "key",
    "critical",
    "infrastructure",
    "ports",
    "rail",
    "undersea",
    "cables",
    "investment",
    "screening",
    "resilience",
    "hybrid",
    "threats",
    "cyber",
    "sabotage",
    "commitment",
    "collective",
    "spending",
    "percent",
    "capabilities",
    "industry",
    "production",
    "supply",
    "chains",
    "dual-use",
    "goods",
    "cooperation",
    "European",
    "Union",
    "Council",
    "partners",
    "Indo-Pacific",
    "values",
    "interests",
    "order",
    "rules-based",
    "international",
    "stability",
    "Euro-Atlantic",
    "area",
    "we",
    "will",
    "continue",
    "to",
    "strengthen",
    "reaffirm",
    "welcome",
    "condemn",
    "call",
    "on",
    "the",
    "of",
    "and",
    "to",
    "in",
    "for",
    "with",
    "our",
    "its",
    "their",
    "a",
    "an",
    "as",
    "by",
    "at",
    "is",
    "are",
    "remain",
    "has",
    "have",
    "been",
    "shall",
    "must",
    "further",
    "deepen",
    "enhance",
    "ensure",
    "address",
    "counter",
]

PARAGRAPHS = 60
WORDS = 6_000


def _paragraph(rng: random.Random, length: int) -> str:
    words = [rng.choice(VOCABULARY) for _ in range(length)]
    words[0] = words[0].capitalize()
    if rng.random() < 0.3:  # some paragraphs still hold bracketed alternatives
        at = rng.randrange(1, length - 1)
        words[at] = f"[{words[at]}][{rng.choice(VOCABULARY)}]"
    return " ".join(words) + "."


def _edit(rng: random.Random, paragraph: str) -> str:
    words = paragraph.split(" ")
    for _ in range(rng.randint(2, 8)):
        action = rng.choice(["insert", "delete", "replace"])
        at = rng.randrange(len(words))
        if action == "insert":
            words.insert(at, rng.choice(VOCABULARY))
        elif action == "delete" and len(words) > 5:
            words.pop(at)
        else:
            words[at] = rng.choice(VOCABULARY)
    return " ".join(words)


def versions(seed: int, edited: int = 15) -> tuple[str, str]:
    """Two versions: 60 paragraphs and 6,000 words, then one reading's changes."""
    rng = random.Random(seed)
    lengths = [WORDS // PARAGRAPHS] * PARAGRAPHS
    old = [_paragraph(rng, length) for length in lengths]
    new = list(old)
    for index in rng.sample(range(len(new)), edited):
        new[index] = _edit(rng, new[index])
    for _ in range(2):
        new.pop(rng.randrange(len(new)))
    for _ in range(2):
        new.insert(rng.randrange(len(new)), new.pop(rng.randrange(len(new))))
    for _ in range(3):
        new.insert(rng.randrange(len(new) + 1), _paragraph(rng, 100))
    return "\n\n".join(old), "\n\n".join(new)


def baseline(old: str, new: str) -> object:
    return difflib.SequenceMatcher(None, old.split(), new.split()).get_opcodes()


def median_ms(work: Callable[[], object], repeat: int) -> float:
    work()  # warm up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument(
        "--edited", type=int, default=15, help="paragraphs edited word by word (at most 60)"
    )
    args = parser.parse_args()

    old, new = versions(args.seed, min(args.edited, PARAGRAPHS))
    diff = text_diff(old, new)
    print(
        f"texts: {len(paragraphs_split(old))} paragraphs, {len(old.split())} words -> "
        f"{len(paragraphs_split(new))} paragraphs, {len(new.split())} words; "
        f"diff summary {diff.summary}"
    )
    ours = median_ms(lambda: text_diff(old, new), args.repeat)
    base = median_ms(lambda: baseline(old, new), args.repeat)
    print(f"text_diff (paragraphs + words): median {ours:.2f} ms over {args.repeat} runs")
    print(f"baseline (difflib on the words of the whole text): median {base:.2f} ms")
    print(f"ratio text_diff / baseline: {ours / base:.2f}")


if __name__ == "__main__":
    main()
