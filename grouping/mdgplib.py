"""Reading and writing MDGPLIB instance and solution files (I/O kept out of the solver)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from grouping.exceptions import InputError
from grouping.problem import Problem


@dataclass(frozen=True)
class Instance:
    """An MDGPLIB instance: ``n`` elements, ``m`` groups with bounds, a distance matrix."""

    name: str
    kind: str  # "ss" or "ds"
    bounds: tuple[tuple[int, int], ...]
    distances: np.ndarray

    @property
    def n(self) -> int:
        return self.distances.shape[0]

    def problem(self, cannot_link=()) -> Problem:
        return Problem(self.distances, group_bounds=self.bounds, cannot_link=tuple(cannot_link))


def read_text(path: str | Path) -> str:
    """The file as text (UTF-8, with or without BOM); an InputError names the first bad line."""
    data = Path(path).read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"{path} line {line}: not UTF-8 text (byte {data[exc.start]:#04x}); "
            "save the file as 'CSV UTF-8' and try again"
        ) from None


def read_instance(path: str | Path) -> Instance:
    """Read an MDGPLIB instance file (header ``n m type a_1 b_1 ...``, then ``i j d_ij`` lines).

    Raises
    ------
    InputError
        When the header or the pair lines are malformed.
    """
    path = Path(path)
    first, _, body = read_text(path).partition("\n")
    header = first.split()
    try:
        n, m = int(header[0]), int(header[1])
        kind = header[2]
        nums = [int(x) for x in header[3 : 3 + 2 * m]]
    except (IndexError, ValueError) as exc:
        raise InputError(f"{path} line 1: malformed header {' '.join(header)!r}") from exc
    if len(nums) != 2 * m:
        raise InputError(f"{path} line 1: header lists {len(nums) // 2} bounds for {m} groups")
    bounds = tuple((nums[2 * g], nums[2 * g + 1]) for g in range(m))
    try:
        values = np.array(body.split(), dtype=np.float64)
    except ValueError:
        for number, line in enumerate(body.splitlines(), start=2):
            for token in line.split():
                try:
                    float(token)
                except ValueError:
                    raise InputError(
                        f"{path} line {number}: expected numbers 'i j d_ij', got {line.strip()!r}"
                    ) from None
        raise
    pairs = n * (n - 1) // 2
    if values.size != 3 * pairs:
        raise InputError(
            f"{path}: expected {pairs} pair lines of 3 numbers, got {values.size} numbers"
        )
    values = values.reshape(pairs, 3)
    i = values[:, 0].astype(np.int64)
    j = values[:, 1].astype(np.int64)
    if i.min() < 0 or j.max() >= n or (i == j).any():
        raise InputError(f"{path}: pair indices out of range 0..{n - 1}")
    D = np.zeros((n, n))
    D[i, j] = values[:, 2]
    D[j, i] = values[:, 2]
    return Instance(path.stem, kind, bounds, D)


def read_solution(path: str | Path) -> np.ndarray:
    """Read a TPSDP-format solution file (CRLF allowed): group of each element, 0-based.

    Format: an optional first line ``<instance> best average worst``, then
    ``N = n  G = m  f = value``, ``m`` lines ``a_g b_g size_g``, ``n`` lines
    ``element group``.
    """
    path = Path(path)
    lines = [ln.strip() for ln in path.read_text().splitlines() if ln.strip()]
    start = next((k for k, ln in enumerate(lines) if ln.startswith("N =")), None)
    if start is None:
        raise InputError(f"{path}: no 'N = .. G = ..' line")
    tokens = lines[start].replace("=", " ").split()
    try:
        n = int(tokens[tokens.index("N") + 1])
        m = int(tokens[tokens.index("G") + 1])
    except (ValueError, IndexError) as exc:
        raise InputError(f"{path}:{start + 1}: malformed line {lines[start]!r}") from exc
    rows = lines[start + 1 + m : start + 1 + m + n]
    if len(rows) != n:
        raise InputError(f"{path}: expected {n} element lines, found {len(rows)}")
    assignment = np.full(n, -1, dtype=np.int64)
    for k, row in enumerate(rows):
        element, group = (int(x) for x in row.split()[:2])
        if not (0 <= element < n and 0 <= group < m):
            raise InputError(f"{path}:{start + 2 + m + k}: element/group out of range: {row!r}")
        assignment[element] = group
    if (assignment < 0).any():
        raise InputError(f"{path}: element {int(np.argmin(assignment))} has no group")
    return assignment


def write_solution(path: str | Path, assignment) -> None:
    """Write lines ``element group`` (both 0-based)."""
    text = "".join(f"{e} {g}\n" for e, g in enumerate(np.asarray(assignment).tolist()))
    Path(path).write_text(text)


def read_pairs(path: str | Path, n: int) -> tuple[tuple[int, int], ...]:
    """Read lines ``i j`` (0-based); blank lines and ``#`` comments are skipped."""
    out = []
    for number, line in enumerate(read_text(path).splitlines(), start=1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        parts = text.replace(",", " ").split()
        try:
            i, j = int(parts[0]), int(parts[1])
        except (ValueError, IndexError) as exc:
            raise InputError(f"{path}:{number}: expected 'i j', got {line!r}") from exc
        if len(parts) != 2 or not (0 <= i < n and 0 <= j < n) or i == j:
            raise InputError(
                f"{path}:{number}: expected two distinct indices in 0..{n - 1}, got {line!r}"
            )
        out.append((i, j))
    return tuple(out)
