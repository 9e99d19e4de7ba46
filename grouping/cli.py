"""Command line of the grouping engine (console script ``peergroups``); no Django needed.

``peergroups mdgp`` solves an MDGPLIB instance; ``peergroups form`` groups the
people of a spreadsheet (CSV) and prints a report with explanations.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import time
from pathlib import Path

from grouping import mdgplib
from grouping.affinity import Criterion, build_affinity
from grouping.exceptions import GroupingError, Infeasible, InputError
from grouping.explain import explain
from grouping.mdgplib import read_text
from grouping.problem import Problem
from grouping.solver import solve, warm_up

# Leave this much of a CPU budget for writing the result, so the whole
# process stays within --seconds.
CPU_MARGIN = 0.05


def _mdgp(args) -> int:
    loading = warm_up(("float64",))  # loading or compiling the kernels is not search time
    inst = mdgplib.read_instance(args.file)
    cannot = mdgplib.read_pairs(args.not_together, inst.n) if args.not_together else ()
    problem = inst.problem(cannot_link=cannot)
    solution = _solve_within(problem, args, loading, bound=False)
    if args.out:
        mdgplib.write_solution(args.out, solution.assignment)
    print(f"instance {inst.name}  n={inst.n}  groups={len(inst.bounds)}  type={inst.kind}")
    print(
        f"iterations {solution.iterations}  cpu {time.process_time():.2f}s  valid {solution.valid}"
    )
    print(f"{solution.objective:.6f}")
    return 0


MAX_GROUP_SIZE = 10  # a peer group is at most 10 people (product rule)
NAME_COLUMNS = ("name", "full name", "full_name", "first name", "first_name", "last name",
                "last_name", "surname")  # fmt: skip


def _solve_within(problem: Problem, args, loading: float, bound: bool = True):
    """Search for ``--seconds`` CPU seconds of this process, kernel loading excluded
    (the same rule for both subcommands), or exactly ``--iterations`` iterations."""
    if getattr(args, "iterations", None) is not None:
        return solve(problem, max_iterations=args.iterations, seed=args.seed, bound=bound)
    budget = max(0.0, args.seconds - CPU_MARGIN - (time.process_time() - loading))
    return solve(
        problem, cpu_seconds=budget, cpu_start=time.process_time(), seed=args.seed, bound=bound
    )


def _split_list(text: str | None) -> list[tuple[str, float]]:
    out = []
    for raw in (text or "").split(","):
        raw = raw.strip()
        if not raw:
            continue
        name, _, weight = raw.partition(":")
        try:
            out.append((name.strip(), float(weight) if weight else 1.0))
        except ValueError as exc:
            raise InputError(f"bad weight in {raw!r}: use COLUMN or COLUMN:WEIGHT") from exc
    return out


def _read_people(path: Path, id_column: str | None, needed: list[str]):
    """Rows of PEOPLE.csv as attribute dicts, with set and number columns converted."""
    reader = csv.reader(io.StringIO(read_text(path), newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise InputError(f"{path}: empty file") from None
    rows = []
    for row in reader:
        line_number = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise InputError(
                f"{path} line {line_number}: expected {len(header)} fields, got {len(row)}"
            )
        rows.append((line_number, [cell.strip() for cell in row]))
    id_column = id_column or ("email" if "email" in header else header[0])
    for name in [id_column, *needed]:
        if name not in header:
            raise InputError(f"{path}: unknown column {name!r} (columns: {', '.join(header)})")
    ids: dict[str, int] = {}
    people = []
    for line_number, row in rows:
        person = dict(zip(header, row, strict=True))
        pid = person[id_column]
        if not pid:
            raise InputError(f"{path} line {line_number}: empty {id_column!r}")
        if pid in ids:
            raise InputError(f"{path} line {line_number}: duplicate {id_column} {pid!r}")
        ids[pid] = len(people)
        people.append(person)
    for name in needed:
        values = [p[name] for p in people]
        if any(";" in v for v in values):
            for p in people:
                p[name] = frozenset(x.strip() for x in p[name].split(";") if x.strip())
        else:
            numbers = [_number(v) for v in values]
            given = [v for v in values if v]
            bad = [
                k for k, (v, x) in enumerate(zip(values, numbers, strict=True)) if v and x is None
            ]
            if bad and len(bad) < len(given) / 2:
                # mostly numbers: a stray word is a typo or a placeholder, not a category
                k = bad[0]
                raise InputError(
                    f"{path} line {rows[k][0]}: column {name!r} holds numbers, but "
                    f"{values[k]!r} is not one (leave the cell empty when unknown)"
                )
            if not bad and given:
                for p, x in zip(people, numbers, strict=True):
                    p[name] = x
    return id_column, ids, people


def _number(text: str) -> float | None:
    try:
        return float(text) if text else None
    except ValueError:
        return None


def _read_id_pairs(path: Path, ids: dict[str, int]) -> tuple[tuple[int, int], ...]:
    pairs = []
    reader = csv.reader(io.StringIO(read_text(path), newline=""))
    for row in reader:
        line_number = reader.line_num
        cells = [c.strip() for c in row if c.strip()]
        if not cells:
            continue
        if len(cells) != 2:
            raise InputError(
                f"{path} line {line_number}: expected two ids, got {len(cells)} fields"
            )
        if line_number == 1 and not (cells[0] in ids and cells[1] in ids):
            continue  # a header row
        for cell in cells:
            if cell not in ids:
                raise InputError(f"{path} line {line_number}: unknown id {cell!r}")
        if cells[0] == cells[1]:
            raise InputError(f"{path} line {line_number}: a person paired with themself")
        pairs.append((ids[cells[0]], ids[cells[1]]))
    return tuple(pairs)


def _form(args) -> int:
    try:
        smin, smax = (int(x) for x in args.size.split("-"))
    except ValueError:
        raise InputError(f"--size {args.size!r}: use MIN-MAX, e.g. 6-10") from None
    if smax > MAX_GROUP_SIZE:
        raise InputError(
            f"--size {args.size}: a peer group is at most {MAX_GROUP_SIZE} people; "
            f"use a maximum of {MAX_GROUP_SIZE} or less"
        )
    if smin < 2 or smin > smax:
        raise InputError(f"--size {args.size}: use MIN-MAX with 2 <= MIN <= MAX")
    loading = warm_up(("float64",))  # loading or compiling the kernels is not search time
    similar = _split_list(args.similar)
    diverse = _split_list(args.diverse)
    criteria = [Criterion(c, "similar", w) for c, w in similar]
    criteria += [Criterion(c, "diverse", w) for c, w in diverse]
    needed = [c.attribute for c in criteria] + ([args.segment] if args.segment else [])
    id_column, ids, people = _read_people(Path(args.people), args.id, needed)
    if not criteria:
        raise InputError("give at least one of --similar and --diverse")
    affinity = build_affinity(people, criteria)
    cannot = _read_id_pairs(Path(args.not_together), ids) if args.not_together else ()
    together = _read_id_pairs(Path(args.together), ids) if args.together else ()
    segments = tuple(str(p[args.segment]) for p in people) if args.segment else None
    problem = Problem(
        affinity, group_size=(smin, smax), cannot_link=cannot, must_link=together, segments=segments
    )
    solution = _solve_within(problem, args, loading)
    names = list(ids)
    groups = solution.groups
    texts = explain(people, groups, criteria)
    print(
        f"{len(people)} people in {len(groups)} groups of {smin}-{smax}; objective {solution.objective:.2f}"
    )
    if solution.upper_bound and solution.objective > 0:
        print(
            f"upper bound {solution.upper_bound:.2f}: no grouping scores more (at most "
            f"{100 * (solution.upper_bound / solution.objective - 1):.1f}% above this one)"
        )
    kept = [f"{len(cannot)} conflicts kept apart"] if cannot else []
    kept += [f"{len(together)} pairs kept together"] if together else []
    print("all constraints met: " + "; ".join([str(solution.valid), *kept]))
    print(
        f"seed {solution.seed}, {solution.iterations} iterations (engine {solution.engine_version}): "
        f"--seed {solution.seed} --iterations {solution.iterations} gives these groups again"
        if len(solution.part_iterations) <= 1
        else f"seed {solution.seed}, {solution.iterations} iterations in {len(solution.part_iterations)} "
        f"segments (engine {solution.engine_version})"
    )
    for g, (members, text) in enumerate(zip(groups, texts, strict=True), start=1):
        print(f"\nGroup {g} ({len(members)} people, score {solution.group_scores[g - 1]:.2f})")
        print("  " + ", ".join(names[i] for i in members))
        print("  " + text)
    if args.out:
        _write_groups(Path(args.out), id_column, people, solution.assignment, texts, needed)
    return 0


def _write_groups(path: Path, id_column, people, assignment, texts, needed) -> None:
    """One row per person, by group: id, group, name columns, the criteria columns, the
    group's explanation."""
    header = list(people[0]) if people else [id_column]
    names = [c for c in header if c.lower() in NAME_COLUMNS and c != id_column]
    attributes = [c for c in dict.fromkeys(needed) if c != id_column and c not in names]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow([id_column, "group", *names, *attributes, "explanation"])
        order = sorted(range(len(people)), key=lambda i: (int(assignment[i]), i))
        for i in order:
            g = int(assignment[i])
            person = people[i]
            writer.writerow(
                [person[id_column], g + 1, *(person[c] for c in names),
                 *(_cell(person[c]) for c in attributes), texts[g]]
            )  # fmt: skip


def _cell(value) -> str:
    if isinstance(value, frozenset):
        return ";".join(sorted(value))
    if isinstance(value, float):
        return f"{value:g}"
    return "" if value is None else str(value)


SECONDS_HELP = (
    "CPU seconds this process may use, reading the input included and loading the "
    "search kernels excluded"
)
ITERATIONS_HELP = "search exactly this many iterations instead (with --seed: the same groups again)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="peergroups", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("mdgp", help="solve an MDGPLIB instance")
    p.add_argument("file")
    p.add_argument("--seconds", type=float, required=True, help=SECONDS_HELP)
    p.add_argument("--iterations", type=int, help=ITERATIONS_HELP)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--not-together", metavar="PAIRS", help="file of lines 'i j' (0-based)")
    p.add_argument("--out", metavar="SOLUTION", help="write lines 'element group' (0-based)")
    p.set_defaults(func=_mdgp)
    f = sub.add_parser(
        "form",
        help="group the people of a CSV file",
        description=(
            "PEOPLE.csv has a header row; the id column is --id, else 'email', else the first "
            "column. Values with ';' are sets (expertise, slots); all-numeric columns are "
            "numbers; others are categories. CONFLICTS.csv holds two ids per line (header "
            "optional). Criteria take an optional weight: --diverse expertise:2,function. "
            "GROUPS.csv gets one row per person: id, group (numbered from 1), name columns, "
            "the criteria columns and the group's explanation."
        ),
    )
    f.add_argument("people", metavar="PEOPLE.csv")
    f.add_argument("--size", default="6-10", help="MIN-MAX people per group (default 6-10)")
    f.add_argument("--similar", help="columns groups should share")
    f.add_argument("--diverse", help="columns groups should mix")
    f.add_argument("--not-together", metavar="CONFLICTS.csv")
    f.add_argument("--together", metavar="PAIRS.csv", help="pairs who must share a group")
    f.add_argument("--segment", metavar="COLUMN", help="groups never mix values of this column")
    f.add_argument("--id", metavar="COLUMN")
    f.add_argument("--seconds", type=float, default=10.0, help=SECONDS_HELP + " (default 10)")
    f.add_argument("--iterations", type=int, help=ITERATIONS_HELP)
    f.add_argument("--seed", type=int, default=0)
    f.add_argument("--out", metavar="GROUPS.csv")
    f.set_defaults(func=_form)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except Infeasible as exc:
        print(f"peergroups: infeasible: {exc}", file=sys.stderr)
        return 2
    except (GroupingError, OSError) as exc:
        print(f"peergroups: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
