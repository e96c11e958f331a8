"""The words of ordering puzzles: which scale a relation speaks of, and which end.

Every object gets one integer position on one scale, 1 at the scale's *low*
end: the leftmost, the oldest, the cheapest, the one that finished first. So
"older than", "to the left of", "cheaper than" and "finished above" all read
as ``<``, and a rank counted from the other end (the rightmost, the newest, the
most expensive, last) is ``N + 1 - k``. One direction for every domain keeps
the options' comparisons the same shape as the premises'.

The lexicon is closed on purpose: a relation word not listed here leaves its
sentence untranslatable rather than guessed.
"""

from __future__ import annotations

from dataclasses import dataclass

ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
}
NUMBERS = {
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}


@dataclass(frozen=True, slots=True)
class Scale:
    """An order the objects stand in; position 1 is ``low``, position N is ``high``."""

    name: str
    low: str
    high: str


POSITION = Scale("position", "the leftmost", "the rightmost")
AGE = Scale("age", "the oldest", "the newest")
PRICE = Scale("price", "the cheapest", "the most expensive")
FINISH = Scale("finishing place", "finished first", "finished last")


@dataclass(frozen=True, slots=True)
class Direction:
    """A relation toward one end of a scale: ``toward_low`` means a smaller position."""

    scale: Scale
    toward_low: bool


def _low(scale: Scale) -> Direction:
    return Direction(scale, True)


def _high(scale: Scale) -> Direction:
    return Direction(scale, False)


SIDES = {"left": _low(POSITION), "right": _high(POSITION)}
"""``to the left of X``, ``the second from the right``."""

COMPARATIVES = {
    "older": _low(AGE),
    "newer": _high(AGE),
    "younger": _high(AGE),
    "cheaper": _low(PRICE),
    "less expensive": _low(PRICE),
    "less costly": _low(PRICE),
    "more expensive": _high(PRICE),
    "more costly": _high(PRICE),
    "pricier": _high(PRICE),
    "costlier": _high(PRICE),
}
"""``X is older than Y``, ``X are more expensive than Y``."""

SUPERLATIVES = {
    "leftmost": _low(POSITION),
    "rightmost": _high(POSITION),
    "oldest": _low(AGE),
    "newest": _high(AGE),
    "youngest": _high(AGE),
    "cheapest": _low(PRICE),
    "least expensive": _low(PRICE),
    "least costly": _low(PRICE),
    "most expensive": _high(PRICE),
    "most costly": _high(PRICE),
    "priciest": _high(PRICE),
    "costliest": _high(PRICE),
}
"""``the oldest``; with an ordinal, ``the second-newest``, ``the third-most expensive``."""

FINISHED = {
    "above": _low(FINISH),
    "ahead": _low(FINISH),
    "before": _low(FINISH),
    "below": _high(FINISH),
    "behind": _high(FINISH),
    "after": _high(FINISH),
}
"""``X finished above Y`` (``ahead of``, ``behind``, …)."""


def superlative(words: list[str]) -> tuple[Direction, int] | None:
    """``leftmost`` → (left end, 1); ``second-most expensive`` → (expensive end, 2)."""
    text = " ".join(words)
    if text in SUPERLATIVES:
        return SUPERLATIVES[text], 1
    head, sep, rest = text.partition("-")
    if not sep:
        head, sep, rest = text.partition(" ")
    if sep and head in ORDINALS and rest in SUPERLATIVES:
        return SUPERLATIVES[rest], ORDINALS[head]
    return None


def finishing_rank(word: str) -> tuple[bool, int] | None:
    """``first`` → (from the first, 1); ``last`` → (from the last, 1); ``third-to-last``."""
    if word in ORDINALS:
        return True, ORDINALS[word]
    if word == "last":
        return False, 1
    head, sep, rest = word.partition("-to-")
    if sep and rest == "last" and head in ORDINALS:
        return False, ORDINALS[head]
    return None
