"""How numbers read in sentences, the same on every page, e-mail and command:
"1 open seat", "2 open seats", "1,200 members"."""


def count_of(number: int, singular: str, plural: str | None = None) -> str:
    """`count_of(1, "open seat")` is "1 open seat"; `count_of(2, "open seat")` "2 open seats"."""
    word = singular if number == 1 else (plural or singular + "s")
    return f"{number:,} {word}"
