"""Print the requirements of `make test-mindeps`: every lower bound of pyproject.toml, pinned.

The core dependencies and the extras named on the command line (default: news, progress) are
installed at exactly the version their ``>=`` names; the test tools (pytest, hypothesis) at the pins
of requirements.txt, since they are not what the package needs. A dependency without a ``>=`` is an
error: its minimum could not be tested.

    python tools/min_requirements.py [extra ...] > min-requirements.txt
"""

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEST_TOOLS = ("pytest", "hypothesis")


def minimum(requirement):
    """``"numpy>=1.24"`` -> ``"numpy==1.24"``; an upper bound (``,<2``) is dropped."""
    match = re.fullmatch(r"\s*([A-Za-z0-9_.\-]+)\s*>=\s*([0-9][0-9A-Za-z.]*)\s*(,\s*<[^,;]*)?\s*", requirement)
    if match is None:
        raise SystemExit(f"pyproject.toml: {requirement!r} has no plain lower bound (name>=version) to test")
    return f"{match.group(1)}=={match.group(2)}"


def pinned(name):
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        if re.match(rf"{re.escape(name)}\s*==", line, re.IGNORECASE):
            return line.split("#")[0].strip()
    raise SystemExit(f"requirements.txt pins no {name}")


def requirements(extras=("news", "progress")):
    """The lines of the requirements file: the lower bounds pinned, then the test tools."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lines = [minimum(r) for r in project["dependencies"]]
    for extra in extras:
        lines += [minimum(r) for r in project["optional-dependencies"][extra]]
    return list(dict.fromkeys(lines)) + [pinned(name) for name in TEST_TOOLS]


if __name__ == "__main__":
    print("\n".join(requirements(sys.argv[1:] or ("news", "progress"))))
