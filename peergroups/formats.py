"""How numbers read in sentences, how names sort and how a CSV cell is written, the same
on every page, e-mail, export and command: "1 open seat", "2 open seats", "1,200
members"; "Group 5" before "Group 10"; a name that starts like a formula stays text."""

import csv
import io
import re
from collections.abc import Iterable

from django.utils.formats import date_format, number_format
from django.utils.functional import lazy
from django.utils.translation import get_language


def number_text(number) -> str:
    """A number as the reader's language writes it: "1,200" in English, "1.200" in German."""
    return number_format(number, force_grouping=True)


def count_of(number: int, singular: str, plural: str | None = None) -> str:
    """`count_of(1, "open seat")` is "1 open seat"; `count_of(2, "open seat")` "2 open seats"."""
    word = singular if number == 1 else (plural or singular + "s")
    return f"{number_text(number)} {word}"


def natural_key(text: str) -> list:
    """A sort key where digits compare as numbers: "Group 5" before "Group 10".

    Text parts compare case-insensitively; the parts alternate text, number, text, ...
    so two keys always compare like with like.
    """
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", text)]


# CSV ----------------------------------------------------------------------------------------

# A spreadsheet runs a cell starting with one of these as a formula
# (`=HYPERLINK("http://evil.example","x")`); every export writes such a cell with a quote
# in front, which the spreadsheet shows as text and the member import takes off again.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?\d[\d,]*(\.\d+)?%?")


def csv_cell(value) -> str:
    """One cell as text that no spreadsheet runs: "-2.5" stays a number, "=1+1" becomes "'=1+1"."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_text(header: Iterable, rows: Iterable[Iterable]) -> str:
    """The one CSV writer every export uses: a header, the rows, every cell through
    `csv_cell`, and a byte-order mark so that Excel reads UTF-8 (our import accepts it)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([csv_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([csv_cell(cell) for cell in row])
    return "\ufeff" + out.getvalue()


# Translation --------------------------------------------------------------------------------


def lazy_format(message, **values):
    """`message % values`, worked out each time it is shown, in the language active then.

    For a label defined at import time that has a number or another label in it
    (`lazy_format(gettext_lazy("Change: %(label)s"), label=...)`): formatting it at once
    would fix it in the language of the process's start.
    """
    return lazy(lambda: str(message) % {k: str(v) for k, v in values.items()}, str)()


def in_sentence(label) -> str:
    """A choice's label inside a sentence: lower case in English ("This run is published");
    other languages keep the label as it is (a German noun keeps its capital)."""
    text = str(label)
    language = get_language() or "en"
    return text.lower() if language.startswith("en") else text


def lazy_date(value, format_name: str):
    """`date_format(value, format_name)` worked out when shown (an e-mail subject is
    written in its recipient's language, which may not be the sender's)."""
    return lazy(date_format, str)(value, format_name)
