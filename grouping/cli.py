"""Command line of the grouping engine (console script ``peergroups``); no Django needed.

``peergroups mdgp`` solves an MDGPLIB instance; ``peergroups form`` groups the
people of a spreadsheet (CSV) and prints a report with explanations.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

from grouping import mdgplib
from grouping.affinity import Criterion, build_affinity
from grouping.exceptions import GroupingError, Infeasible, InputError
from grouping.explain import explain
from grouping.problem import Problem
from grouping.solver import solve

# Leave this much of a CPU budget for writing the result, so the whole
# process stays within --seconds.
CPU_MARGIN = 0.05


def _mdgp(args) -> int:
    inst = mdgplib.read_instance(args.file)
    cannot = mdgplib.read_pairs(args.not_together, inst.n) if args.not_together else ()
    problem = inst.problem(cannot_link=cannot)
    budget = max(0.0, args.seconds - CPU_MARGIN - time.process_time())
    solution = solve(problem, cpu_seconds=budget, cpu_start=time.process_time(), seed=args.seed)
    if args.out:
        mdgplib.write_solution(args.out, solution.assignment)
    print(f"instance {inst.name}  n={inst.n}  groups={len(inst.bounds)}  type={inst.kind}")
    print(
        f"iterations {solution.iterations}  cpu {time.process_time():.2f}s  valid {solution.valid}"
    )
    print(f"upper bound {solution.upper_bound:.6f}")
    print(f"{solution.objective:.6f}")
    return 0


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
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        try:
            header = [h.strip() for h in next(reader)]
        except StopIteration:
            raise InputError(f"{path}: empty file") from None
        rows = []
        for line_number, row in enumerate(reader, start=2):
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
            try:
                numbers = [float(v) if v else None for v in values]
            except ValueError:
                continue
            if any(x is not None for x in numbers):
                for p, x in zip(people, numbers, strict=True):
                    p[name] = x
    return id_column, ids, people


def _read_id_pairs(path: Path, ids: dict[str, int]) -> tuple[tuple[int, int], ...]:
    pairs = []
    with path.open(newline="", encoding="utf-8-sig") as fh:
        for line_number, row in enumerate(csv.reader(fh), start=1):
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
    solution = solve(problem, seconds=args.seconds, seed=args.seed)
    names = list(ids)
    groups = solution.groups
    texts = explain(people, groups, criteria)
    print(
        f"{len(people)} people in {len(groups)} groups of {smin}-{smax}; objective {solution.objective:.2f}"
    )
    if solution.upper_bound:
        print(f"upper bound {solution.upper_bound:.2f} (within {solution.gap_to_upper_bound:.1f}%)")
    print(f"all constraints met: {solution.valid}; {len(cannot)} conflicts respected")
    for g, (members, text) in enumerate(zip(groups, texts, strict=True), start=1):
        print(f"\nGroup {g} ({len(members)} people, score {solution.group_scores[g - 1]:.2f})")
        print("  " + ", ".join(names[i] for i in members))
        print("  " + text)
    if args.out:
        with open(args.out, "w", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow([id_column, "group"])
            for i, g in enumerate(solution.assignment.tolist()):
                writer.writerow([names[i], g + 1])
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="peergroups", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("mdgp", help="solve an MDGPLIB instance")
    p.add_argument("file")
    p.add_argument("--seconds", type=float, required=True, help="CPU seconds for the whole process")
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
            "GROUPS.csv gets 'id,group' with groups numbered from 1."
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
    f.add_argument("--seconds", type=float, default=10.0, help="wall-clock seconds")
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
