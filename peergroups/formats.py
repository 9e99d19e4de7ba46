"""How numbers read in sentences and how names sort, the same on every page, e-mail and
command: "1 open seat", "2 open seats", "1,200 members"; "Group 5" before "Group 10"."""

import re


def count_of(number: int, singular: str, plural: str | None = None) -> str:
    """`count_of(1, "open seat")` is "1 open seat"; `count_of(2, "open seat")` "2 open seats"."""
    word = singular if number == 1 else (plural or singular + "s")
    return f"{number:,} {word}"


def natural_key(text: str) -> list:
    """A sort key where digits compare as numbers: "Group 5" before "Group 10".

    Text parts compare case-insensitively; the parts alternate text, number, text, ...
    so two keys always compare like with like.
    """
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", text)]
