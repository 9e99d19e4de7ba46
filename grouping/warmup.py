"""``python -m grouping.warmup``: compile (or load) the engine's kernels now.

``make install`` runs it so that the first formation after an install does
not compile; the numba cache lives next to the code (or in NUMBA_CACHE_DIR).
"""

import sys
import time

from grouping.solver import warm_up


def main() -> int:
    w0 = time.perf_counter()
    cpu = warm_up()
    print(f"grouping kernels ready ({cpu:.1f} CPU s, {time.perf_counter() - w0:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
