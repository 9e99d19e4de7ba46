"""Text of an attached PDF, extracted in a child process with hard limits.

Run by the `resource_text_extract` task, never in a request: a 72 KB PDF whose one page
inflates to 70 MB of text took 20 s and about 1 GB in a web worker. The child reads the
PDF on stdin and writes at most `chars` characters of its first `pages` pages; the
parent gives it `seconds` of CPU and `memory_mb` of address space (setrlimit), so a
decompression bomb is cut off by the kernel, not extracted, and reported.

`python -m peergroups.resources.extract PAGES CHARS < file.pdf` (no Django needed).
"""

import io
import resource as rlimits
import subprocess
import sys
from dataclasses import dataclass

DONE, CUT, FAILED = "done", "cut", "failed"
EXIT_TOO_BIG = 3  # the child ran out of memory


@dataclass(frozen=True)
class Extracted:
    text: str
    status: str  # DONE, CUT (a limit on pages or characters was reached), FAILED
    reason: str = ""


def extract_limited(
    data: bytes, *, pages: int, chars: int, seconds: int, memory_mb: int
) -> Extracted:
    """The PDF's text within the limits; never raises for a bad or hostile file."""

    def limit() -> None:  # runs in the child, before pypdf is imported
        rlimits.setrlimit(rlimits.RLIMIT_CPU, (seconds, seconds + 1))
        memory = memory_mb * 1024 * 1024
        rlimits.setrlimit(rlimits.RLIMIT_AS, (memory, memory))

    try:
        child = subprocess.run(
            [sys.executable, "-m", "peergroups.resources.extract", str(pages), str(chars)],
            input=data,
            capture_output=True,
            timeout=seconds * 2 + 5,  # wall clock too: a child waiting on nothing
            preexec_fn=limit,  # noqa: PLW1509 - setrlimit must run in the child
            check=False,
        )
    except subprocess.TimeoutExpired:
        return Extracted("", FAILED, f"took longer than {seconds} s")
    if child.returncode == EXIT_TOO_BIG or child.returncode < 0:
        why = (
            f"needed more than {memory_mb} MB (a file that unpacks to far more than its size)"
            if child.returncode == EXIT_TOO_BIG or child.returncode == -9
            else f"took longer than {seconds} s"
        )
        return Extracted("", FAILED, why)
    if child.returncode != 0:
        return Extracted("", FAILED, "the PDF could not be read")
    text = child.stdout.decode("utf-8", "replace")
    cut = text.endswith("\x00CUT")
    text = text.removesuffix("\x00CUT")[:chars]
    return Extracted(text, CUT if cut else DONE, "limit on pages or characters" if cut else "")


def _main(pages: int, chars: int) -> int:
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(sys.stdin.buffer.read()))
        parts, size, cut = [], 0, len(reader.pages) > pages
        for page in reader.pages[:pages]:
            part = page.extract_text() or ""
            parts.append(part)
            size += len(part)
            if size >= chars:
                cut = True
                break
        text = "\n".join(parts)[:chars]
    except MemoryError:
        return EXIT_TOO_BIG
    except Exception:  # noqa: BLE001 - any unreadable PDF: the parent reports it
        return 1
    sys.stdout.write(text.replace("\x00", "") + ("\x00CUT" if cut else ""))
    return 0


if __name__ == "__main__":
    sys.exit(_main(int(sys.argv[1]), int(sys.argv[2])))
