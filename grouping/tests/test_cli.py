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


def test_form_output_carries_names_group_explanation_and_attributes(tmp_path, capsys):
    rows = [["email", "name", "region", "expertise", "years"]]
    for i in range(16):
        rows.append([f"p{i}@x.org", f"Person {i}", ["north", "south"][i % 2],
                     ["hiring;finance", "ops", "marketing;ops"][i % 3], str(i + 1)])  # fmt: skip
    people = tmp_path / "people.csv"
    _write(people, rows)
    out = tmp_path / "groups.csv"
    code = main(["form", str(people), "--size", "7-9", "--similar", "region", "--diverse", "expertise",
                 "--seconds", "0.5", "--seed", "2", "--out", str(out)])  # fmt: skip
    assert code == 0
    report = capsys.readouterr().out
    assert "conflicts" not in report  # none were given
    with open(out, newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == ["email", "group", "name", "region", "expertise", "explanation"]
        written = list(reader)
    assert len(written) == 16
    assert [int(r["group"]) for r in written] == sorted(int(r["group"]) for r in written)
    first = next(r for r in written if r["email"] == "p0@x.org")
    assert first["name"] == "Person 0" and first["region"] == "north"
    assert first["expertise"] == "finance;hiring"
    assert first["explanation"] in report


def test_form_replays_the_same_groups_from_seed_and_iterations(people_csv, tmp_path, capsys):
    out1, out2 = tmp_path / "a.csv", tmp_path / "b.csv"
    args = ["form", str(people_csv), "--size", "6-8", "--similar", "region", "--seed", "4"]
    assert main([*args, "--seconds", "0.5", "--out", str(out1)]) == 0
    report = capsys.readouterr().out
    iterations = report.split("--iterations ")[1].split()[0]
    assert main([*args, "--iterations", iterations, "--out", str(out2)]) == 0
    assert out1.read_text() == out2.read_text()


def test_seconds_mean_the_same_in_both_subcommands():
    from grouping.cli import build_parser

    sub = build_parser()._subparsers._group_actions[0].choices
    helps = {
        name: next(a.help for a in parser._actions if "--seconds" in a.option_strings)
        for name, parser in sub.items()
    }
    assert helps["form"].startswith(helps["mdgp"])
    assert "CPU seconds" in helps["mdgp"]


def test_form_refuses_groups_above_ten(people_csv, capsys):
    assert main(["form", str(people_csv), "--size", "6-12", "--similar", "region"]) == 1
    assert "at most 10 people" in capsys.readouterr().err


def test_form_names_the_line_of_a_file_that_is_not_utf8(tmp_path, capsys):
    path = tmp_path / "people.csv"
    path.write_bytes("email,region\na@x,north\nb@x,Zürich\n".encode("latin-1"))
    assert main(["form", str(path), "--similar", "region"]) == 1
    err = capsys.readouterr().err
    assert "line 3: not UTF-8" in err and "Traceback" not in err


def test_form_names_the_line_of_a_word_in_a_number_column(people_csv, tmp_path, capsys):
    lines = people_csv.read_text().splitlines()
    header, rows = lines[0], lines[1:]
    rows[4] = ",".join(rows[4].split(",")[:-1] + ["n/a"])  # years of the person on line 6
    path = tmp_path / "na.csv"
    path.write_text("\n".join([header, *rows]) + "\n")
    assert main(["form", str(path), "--diverse", "years", "--seconds", "0.2"]) == 1
    assert "line 6: column 'years' holds numbers, but 'n/a' is not one" in capsys.readouterr().err


def test_mdgp_names_the_line_with_text_in_the_body(tmp_path, capsys):
    path = tmp_path / "inst.txt"
    path.write_text("4 2 ss 2 2 2 2 \n0 1 1.5\n0 2 2.0\n0 3 oops\n1 2 1\n1 3 1\n2 3 1\n")
    assert main(["mdgp", str(path), "--seconds", "1"]) == 1
    err = capsys.readouterr().err
    assert "line 4: expected numbers 'i j d_ij', got '0 3 oops'" in err
