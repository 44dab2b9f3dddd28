"""English of the command line's summaries: counts read as sentences ("1 page", "2 pages";
"1 page is", "2 pages are")."""
from __future__ import annotations


def agreeing(number: int, one: str, other: str) -> str:
    """The word that agrees with `number`: `one` for one, `other` for any other number."""
    return one if number == 1 else other


def counted(number: int, noun: str) -> str:
    """`number` and `noun`, plural unless the number is one (nouns here take an s)."""
    return f"{number} {agreeing(number, noun, noun + 's')}"
