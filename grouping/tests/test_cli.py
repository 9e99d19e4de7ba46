"""The peergroups command line: MDGPLIB solving and CSV group formation."""

import csv

import pytest

from grouping import mdgplib
from grouping.checks import is_valid, objective
from grouping.cli import main


def test_mdgp_prints_the_objective_last_and_writes_a_valid_solution(mdgp_dir, tmp_path, capsys):
    instance = mdgp_dir / "instances" / "RanInt_n120_ss_01.txt"
    pairs = tmp_path / "pairs.txt"
    pairs.write_text("0 1\n2 3\n")
    out = tmp_path / "sol.txt"
    assert (
        main(
            [
                "mdgp",
                str(instance),
                "--seconds",
                "4",
                "--seed",
                "1",
                "--not-together",
                str(pairs),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    last = capsys.readouterr().out.strip().splitlines()[-1]
    inst = mdgplib.read_instance(instance)
    rows = [line.split() for line in out.read_text().splitlines()]
    assignment = [int(g) for _, g in sorted((int(e), g) for e, g in rows)]
    problem = inst.problem(cannot_link=((0, 1), (2, 3)))
    assert is_valid(problem, assignment)
    assert float(last) == pytest.approx(objective(inst.distances, assignment))


def _write(path, rows):
    with open(path, "w", newline="") as fh:
        csv.writer(fh).writerows(rows)


@pytest.fixture
def people_csv(tmp_path):
    rows = [["email", "region", "industry", "expertise", "years"]]
    for i in range(24):
        rows.append([f"p{i}@x.org", ["north", "south"][i % 2], ["biotech", "retail", "software"][i % 3],
                     ";".join(["marketing", "hiring", "finance", "ops"][j] for j in range(4) if (i >> j) & 1), str(i)])  # fmt: skip
    path = tmp_path / "people.csv"
    _write(path, rows)
    return path


def test_form_writes_groups_respecting_conflicts(people_csv, tmp_path, capsys):
    conflicts = tmp_path / "conflicts.csv"
    _write(conflicts, [["manager", "report"], ["p0@x.org", "p2@x.org"], ["p4@x.org", "p6@x.org"]])
    out = tmp_path / "groups.csv"
    code = main(["form", str(people_csv), "--size", "6-10", "--similar", "region,industry", "--diverse", "expertise",
                 "--not-together", str(conflicts), "--seconds", "1", "--seed", "1", "--out", str(out)])  # fmt: skip
    assert code == 0
    report = capsys.readouterr().out
    assert "Group 1" in report and "shares:" in report and "brings:" in report
    with open(out, newline="") as fh:
        group = {r["email"]: r["group"] for r in csv.DictReader(fh)}
    assert len(group) == 24
    assert group["p0@x.org"] != group["p2@x.org"] and group["p4@x.org"] != group["p6@x.org"]
    sizes = [list(group.values()).count(g) for g in set(group.values())]
    assert all(6 <= s <= 10 for s in sizes)


@pytest.mark.parametrize(
    ("extra", "content", "message"),
    [
        (["--similar", "sector"], None, "unknown column 'sector'"),
        (
            ["--similar", "region"],
            "email,region\na@x,north\nb@x\n",
            "line 3: expected 2 fields, got 1",
        ),
        (["--similar", "region", "--size", "9-10"], None, "cannot be split into groups of 9 to 10"),
        (
            ["--similar", "region", "--not-together", "CONF"],
            None,
            "line 2: unknown id 'nobody@x.org'",
        ),
    ],
)
def test_form_reports_bad_input_clearly(people_csv, tmp_path, capsys, extra, content, message):
    path = people_csv
    if content is not None:
        path = tmp_path / "bad.csv"
        path.write_text(content)
    if "CONF" in extra:
        conflicts = tmp_path / "c.csv"
        _write(conflicts, [["p0@x.org", "p1@x.org"], ["p0@x.org", "nobody@x.org"]])
        extra = [str(conflicts) if e == "CONF" else e for e in extra]
    assert main(["form", str(path), *extra, "--seconds", "0.2"]) != 0
    assert message in capsys.readouterr().err
