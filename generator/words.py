"""English of the command line's summaries: counts read as sentences ("1 page", "2 pages")."""
from __future__ import annotations


def counted(number: int, noun: str) -> str:
    """`number` and `noun`, plural unless the number is one (nouns here take an s)."""
    return f"{number} {noun}{'' if number == 1 else 's'}"
