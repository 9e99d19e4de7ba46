"""The engine benchmark keeps a result above a best-known value only after a plain re-score."""

import argparse
import re

import numpy as np

from benchmarks import engine as bench
from grouping import mdgplib, solve


def _write_instance(path, n=120, m=10, seed=4):
    rng = np.random.default_rng(seed)
    lo = rng.integers(9, 12, m)
    hi = lo + rng.integers(2, 5, m)
    header = f"{n} {m} ds " + " ".join(f"{a} {b}" for a, b in zip(lo, hi, strict=True)) + " "
    lines = [header]
    for i in range(n):
        for j in range(i + 1, n):
            lines.append(f"{i} {j} {int(rng.integers(0, 100))}")
    path.write_text("\n".join(lines) + "\n")


def test_a_run_above_the_best_known_value_is_kept_with_the_command_that_replays_it(tmp_path):
    data = tmp_path / "mdgp"
    (data / "instances").mkdir(parents=True)
    inst_path = data / "instances" / "Tiny_n120_ds_01.txt"
    _write_instance(inst_path)
    (data / "instances" / "Other_n120_ds_01.txt").write_text(inst_path.read_text())
    # a best-known value any run beats, and one no run reaches
    (data / "best_known.tsv").write_text(
        "instance\tn\tgroups\tbest_known\tsource\n"
        "Tiny_n120_ds_01\t120\t10\t1000.0\ttest\n"
        "Other_n120_ds_01\t120\t10\t1e9\ttest\n"
    )
    args = argparse.Namespace(data=str(data), only="Tiny,Other", seeds="1,2", skip={"greedy+ls", "cp-sat"},
                              time_scale=0.1, cpsat_max_n=0, jobs=1, keep=str(tmp_path / "keep"),
                              log=str(tmp_path / "runs.tsv"))  # fmt: skip
    runs = bench.mdgp_benchmark(args, seed_major=True)
    # seed by seed: both instances with seed 1 before any with seed 2
    assert [r["seed"] for r in runs] == [1, 1, 2, 2]
    assert len((tmp_path / "runs.tsv").read_text().splitlines()) == 1 + len(runs)
    kept = sorted((tmp_path / "keep").iterdir())
    assert [p.name.split("_")[0] for p in kept] == ["Tiny", "Tiny"]  # never Other
    instance = mdgplib.read_instance(inst_path)
    for path in kept:
        text = path.read_text()
        value = float(re.search(r"objective ([0-9.]+)", text).group(1))
        seed = int(re.search(r"seed (\d+),", text).group(1))
        iterations = int(re.search(r"(\d+) iterations", text).group(1))
        assign = np.array([int(line.split()[1]) for line in text.splitlines() if line[0] != "#"])
        assert bench.plain_feasible(inst_path, assign)
        assert abs(bench.plain_objective(inst_path, assign) - value) < 1e-6
        again = solve(instance.problem(), max_iterations=iterations, seed=seed, bound=False)
        assert (again.assignment == assign).all()


def test_plain_objective_and_feasibility_read_the_file_itself(tmp_path):
    path = tmp_path / "t_n120_ss_01.txt"
    path.write_text("4 2 ss 2 2 2 2 \n0 1 5\n0 2 1\n0 3 2\n1 2 7\n1 3 3\n2 3 4.5\n")
    assert bench.plain_objective(path, [0, 0, 1, 1]) == 9.5
    assert bench.plain_objective(path, [0, 1, 1, 0]) == 9.0
    assert bench.plain_feasible(path, [0, 0, 1, 1])
    assert not bench.plain_feasible(path, [0, 0, 0, 1])
