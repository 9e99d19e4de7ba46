"""Aggregates for admins that cannot be unpicked: every figure over 5+ distinct people.

Every aggregate page and API builds its figures through `Table`:

- **Distinct people.** Records are added with the person they belong to; a figure's
  size is the number of *distinct* people behind it, so the same three people in two
  cycles are three, not six.
- **Primary suppression.** A figure over fewer than `MIN_PEOPLE` people is hidden.
- **Complementary suppression.** Figures form a tree (organization > program >
  cycle, say); a parent's records are its own plus its children's, so the parent is
  the total of its children. Shown figures let anyone work out, by subtraction, the
  records of each *residue*: a shown node's records that are not under a shown
  descendant of it. Those residues are the smallest things that can be derived (see
  `residues`), so the table hides more figures until every residue is empty or
  covers at least `MIN_PEOPLE` people: then no figure over fewer people can be
  computed from what is shown, whatever sums and differences one takes.
- **Filters** select nodes of the table computed over everything (`Table.select`);
  they never compute a figure over a narrower population. So a filtered view shows
  a subset of the unfiltered view's figures, and subtracting one from the other
  yields nothing the unfiltered view does not already protect.

**Grouped in the database.** A page need not load every record: it may hand the table
records already grouped by node and person (`add_grouped`: one row per person and node,
with that person's partial figure, e.g. attended and held) or, for a node that stands
alone (no parent, no children), the count of distinct people and the node's figure
(`add_counted`, from COUNT(DISTINCT person) and sums in SQL). Suppression decides on
exactly the same people either way: a node in a tree keeps the people behind it
because complementary suppression needs *who*, not only how many (two hidden groups
may share a person); a standalone node's residue is itself, so its count is enough.
Reducers for partial figures: `total_of`, `percent_of`, `mean_of`, `quartiles_of`.

A page may go further and hand the table one row per *node* (`add_people`): the
distinct people behind the node's records, collected in the database (`Collect`:
ARRAY_AGG on PostgreSQL, GROUP_CONCAT on SQLite), and the node's partial figure. The
people are the same sets as record by record, so suppression decides exactly as
before, and a page reads one row per node, not one per person per month.

Treat every measure of a row (a count, a rate, a median) as if it were additive:
hiding decisions are made per measure, on the people behind that measure.

**Over time.** Filters are not the only way to subtract: reading a figure again after
one new answer gives that answer (4.8 over 5 people, then 4.2 over 6: the new one is 1).
So a figure by period is published only once its period is over (`node(..., open=True)`
until then: hidden, and its people hidden with it), and is computed only from records
made before the period ended (the caller filters on when each was recorded), so a
published figure never moves again. People are shown in bands (`people_band`: "5–9"),
never as an exact count that goes up by one.
"""

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Aggregate, IntegerField
from django.utils.translation import gettext, gettext_lazy

MIN_PEOPLE = 5  # never show an aggregate over fewer distinct people than this

FEWER = gettext_lazy("fewer than 5 people")
OPEN = gettext_lazy("shown once the month is over")
# Bands for "how many people": an exact count that goes up by one tells who just answered.
PEOPLE_BANDS = [(5, 9), (10, 19), (20, 49), (50, 99), (100, 499), (500, 999)]


def people_band(people: int | None) -> str:
    """`people_band(7)` is "5–9"; "" when hidden; "1,000 or more" at the top."""
    if people is None:
        return ""
    if people == 0:
        return "none"
    for low, high in PEOPLE_BANDS:
        if low <= people <= high:
            return f"{low:,}–{high:,}"
    if people < MIN_PEOPLE:
        return gettext("fewer than %(count)s") % {"count": MIN_PEOPLE}
    return gettext("1,000 or more")


COMPLEMENT = gettext_lazy("hidden so that a hidden figure cannot be worked out from the others")


class _Counted:
    """The stand-in people of a node added with `Table.add_counted`: `size` people that
    nothing else shares. Only its size is ever read (a counted node stands alone), so
    no token is made: 10,000 of them cost a page 15 ms."""

    __slots__ = ("size",)

    def __init__(self, size: int):
        self.size = size

    def __len__(self) -> int:
        return self.size

    def __bool__(self) -> bool:
        return self.size > 0


@dataclass(frozen=True)
class Figure:
    """One cell as a page may show it: `value` and `people` are None when hidden."""

    value: Any
    people: int | None
    hidden: str = ""  # why, when hidden: FEWER or COMPLEMENT

    @property
    def shown(self) -> bool:
        return not self.hidden

    @property
    def people_band(self) -> str:
        return people_band(self.people)


HIDDEN_FEWER = Figure(value=None, people=None, hidden=FEWER)


class Table:
    """A tree of figures over records that belong to people.

    Declare nodes with `node(key, parent=...)` (a parent before its children), add
    records with `add(key, person, value)`, then read `figures(reduce)`: the shown
    figures carry `reduce(values)` and their count of distinct people. A record added
    to a node counts for all its ancestors too.
    """

    def __init__(self, *, minimum: int = MIN_PEOPLE, now=None):
        self.minimum = minimum
        self.now = now  # for periods: see `node(ends_at=)`
        self.ends_at: dict[Hashable, Any] = {}
        self.parent: dict[Hashable, Hashable | None] = {}
        self.children: dict[Hashable, list[Hashable]] = defaultdict(list)
        self.own_people: dict[Hashable, set] = defaultdict(set)
        self.open: set = set()  # periods not over yet: never shown
        self.own_values: dict[Hashable, list] = defaultdict(list)
        self.counted: set = set()  # nodes added with add_counted
        self._shown: set | None = None
        self._people: dict[Hashable, set] = {}

    def node(
        self,
        key: Hashable,
        *,
        parent: Hashable | None = None,
        open: bool = False,
        ends_at=None,
    ) -> None:
        """Declare a node. A period gives `ends_at`: until the table's `now` reaches it
        the node is open (never shown), and records made at or after it do not count
        (`add(recorded_at=)`), so its figure, once shown, never moves."""
        if ends_at is not None:
            self.ends_at[key] = ends_at
            open = open or self.now is None or ends_at > self.now
        if open:
            self.open.add(key)
            self._shown = None
        if key in self.parent:
            return
        if parent is not None and parent not in self.parent:
            raise KeyError(f"declare the parent {parent!r} before its child {key!r}")
        if parent in self.counted:
            raise ValueError(f"{parent!r} was added as a count: it cannot have children")
        self.parent[key] = parent
        if parent is not None:
            self.children[parent].append(key)
        self._shown = None
        self._people = {}

    def add(self, key: Hashable, person: Hashable, value: Any = None, *, recorded_at=None) -> None:
        if key not in self.parent:
            raise KeyError(f"no node {key!r}")
        end = self.ends_at.get(key)
        if end is not None and recorded_at is not None and recorded_at >= end:
            return  # made after its period ended: the published figure stays as it was
        if key in self.counted:
            raise ValueError(f"{key!r} was added as a count")
        self.own_people[key].add(person)
        self.own_values[key].append(value)
        if self._shown is not None or self._people:
            self._shown, self._people = None, {}

    def add_grouped(self, key: Hashable, person: Hashable, value: Any = None) -> None:
        """One person's records at a node, already reduced to a partial figure (a
        count, or a (numerator, denominator) pair): read with a reducer of partials."""
        self.add(key, person, value)

    def add_counted(self, key: Hashable, *, people: int, value: Any = None) -> None:
        """A standalone node's figure computed in the database: `people` distinct
        people (COUNT(DISTINCT ...)) and one partial `value`. Only for a node with no
        parent and no children: in a tree the table must know who, not how many."""
        if key not in self.parent:
            raise KeyError(f"no node {key!r}")
        if self.parent[key] is not None or self.children.get(key):
            raise ValueError(f"{key!r} is in a tree: add its people, not a count")
        if self.own_people.get(key) or self.own_values.get(key):
            raise ValueError(f"{key!r} already has records")
        # Anonymous people private to this node: nothing else shares them, which is
        # true because nothing else is above or below it.
        self.own_people[key] = _Counted(people)
        self.counted.add(key)
        self.own_values[key].append(value)
        if self._shown is not None or self._people:
            self._shown, self._people = None, {}

    def add_people(self, key: Hashable, people: Iterable, value: Any = None) -> None:
        """A node's records reduced in the database: the distinct people behind them
        (`Collect(person, distinct=True)`) and one partial figure, read with a reducer
        of partials. Records made after the node's period ended must be left out by
        the query (the table cannot see when each was made)."""
        if key not in self.parent:
            raise KeyError(f"no node {key!r}")
        if key in self.counted:
            raise ValueError(f"{key!r} was added as a count")
        self.own_people[key].update(people)
        self.own_values[key].append(value)
        if self._shown is not None or self._people:
            self._shown, self._people = None, {}

    # --- reading --------------------------------------------------------------------

    def subtree(self, key: Hashable) -> list[Hashable]:
        out, stack = [], [key]
        while stack:
            node = stack.pop()
            out.append(node)
            stack.extend(self.children.get(node, ()))
        return out

    def people(self, key: Hashable) -> set:
        if key in self.counted:
            return self.own_people[key]
        if key not in self._people:
            self._people[key] = set().union(
                *(self.own_people.get(n, set()) for n in self.subtree(key))
            )
        return self._people[key]

    def values(self, key: Hashable) -> list:
        return [v for n in self.subtree(key) for v in self.own_values.get(n, ())]

    def shown_keys(self) -> set:
        if self._shown is None:
            self._shown = _decide(self)
        return self._shown

    def figure(self, key: Hashable, reduce: Callable[[list], Any]) -> Figure:
        people = self.people(key)
        if key in self.open:
            return Figure(None, None, OPEN)
        if key not in self.shown_keys():
            return Figure(None, None, FEWER if len(people) < self.minimum else COMPLEMENT)
        return Figure(value=reduce(self.values(key)), people=len(people))

    def figures(self, reduce: Callable[[list], Any]) -> dict[Hashable, Figure]:
        return {key: self.figure(key, reduce) for key in self.parent}

    def select(self, keys: Iterable[Hashable], reduce: Callable[[list], Any]) -> dict:
        """A filtered view: some nodes of the whole table, decided over the whole table."""
        return {key: self.figure(key, reduce) for key in keys if key in self.parent}


def residues(table: Table, shown: set) -> dict[Hashable, set]:
    """Shown node -> the people behind its residue: its own records and those of
    descendants not under a shown descendant. Anything derivable from the shown
    figures is a union of residues (the shown nodes form a laminar family of record
    sets; each residue is node − Σ maximal shown descendants)."""
    out: dict[Hashable, set] = {}
    for key in shown:
        if key in table.counted:  # stands alone: its residue is itself
            out[key] = table.own_people[key]
            continue
        people: set = set()
        stack = [key]
        while stack:
            node = stack.pop()
            people |= table.own_people.get(node, set())
            stack.extend(c for c in table.children.get(node, ()) if c not in shown)
        out[key] = people
    return out


def _decide(table: Table) -> set:
    """Primary suppression, then hide the smallest shown descendant under any shown
    node whose residue covers 1 to minimum-1 people, until there is none."""
    minimum = table.minimum
    people = {key: table.people(key) for key in table.parent}
    shown = {
        key for key, p in people.items() if (len(p) >= minimum or not p) and key not in table.open
    }
    while True:
        bad = [key for key, residue in residues(table, shown).items() if 0 < len(residue) < minimum]
        if not bad:
            return shown
        # Fix the deepest first: hiding inside it may also repair its ancestors.
        key = max(bad, key=lambda k: (_depth(table, k), repr(k)))
        candidates = _maximal_shown_descendants(table, key, shown)
        if not candidates:  # cannot happen for a shown node (it has 5+ people); be safe
            shown.discard(key)
            continue
        victim = min(candidates, key=lambda k: (len(people[k]), repr(k)))
        shown.discard(victim)


def _depth(table: Table, key: Hashable) -> int:
    depth = 0
    while table.parent.get(key) is not None:
        key = table.parent[key]
        depth += 1
    return depth


def _maximal_shown_descendants(table: Table, key: Hashable, shown: set) -> list:
    out, stack = [], list(table.children.get(key, ()))
    while stack:
        node = stack.pop()
        if node in shown and table.people(node):
            out.append(node)
        else:
            stack.extend(table.children.get(node, ()))
    return out


# --- reducers pages use ------------------------------------------------------------------


def count(values: list) -> int:
    return len(values)


def total(values: list) -> float:
    return sum(v for v in values if v is not None)


def percent(values: list) -> int | None:
    """Values are credits in [0, 1] (1 = yes, 0.5 = partly); the share in whole percent."""
    values = [v for v in values if v is not None]
    return round(100 * float(sum(values)) / len(values)) if values else None


def mean(values: list) -> float | None:
    values = [v for v in values if v is not None]
    return round(float(sum(values)) / len(values), 1) if values else None


def quartiles(values: list) -> tuple[float, float, float] | None:
    """(25th percentile, median, 75th percentile), linear interpolation."""
    values = sorted(float(v) for v in values if v is not None)
    if not values:
        return None

    def at(q: float) -> float:
        position = q * (len(values) - 1)
        low = int(position)
        high = min(low + 1, len(values) - 1)
        return round(values[low] + (values[high] - values[low]) * (position - low), 1)

    return at(0.25), at(0.5), at(0.75)


def total_of(values: list) -> float:
    """Partial counts or sums (from `add_grouped`/`add_counted`): their total."""
    return sum(v for v in values if v is not None)


def percent_of(values: list) -> int | None:
    """Partials (credit, records): the share in whole percent, as `percent` gives over
    the records themselves."""
    parts = [v for v in values if v is not None]
    records = sum(n for _, n in parts)
    return round(100 * float(sum(c for c, _ in parts)) / records) if records else None


def mean_of(values: list) -> float | None:
    """Partials (sum, records): the mean to one decimal, as `mean` over the records."""
    parts = [v for v in values if v is not None]
    records = sum(n for _, n in parts)
    return round(float(sum(s for s, _ in parts)) / records, 1) if records else None


def quartiles_of(values: list) -> tuple[float, float, float] | None:
    """Partials that are lists of the records' values: `quartiles` over them all."""
    return quartiles([v for part in values if part for v in part])


# --- collected in the database -----------------------------------------------------------


def ints(value) -> list[int]:
    """A collected list of integers: ARRAY_AGG's list, GROUP_CONCAT's "3,5,8", [] for none."""
    if value is None:
        return []
    if isinstance(value, str):  # SQLite's GROUP_CONCAT: "3,5,8"
        return [int(v) for v in value.split(",")]
    return list(value)


def _as_ints(value, expression, connection) -> list[int]:
    return ints(value)


class Collect(Aggregate):
    """The integers of a group as a list: the people behind a node (`distinct=True`)
    or its values. ARRAY_AGG on PostgreSQL, GROUP_CONCAT on SQLite; [] for none."""

    function = "ARRAY_AGG"
    name = "Collect"
    allow_distinct = True
    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="GROUP_CONCAT", **extra_context)

    @property
    def convert_value(self):
        return _as_ints
