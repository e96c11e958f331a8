"""``python -m bench.anchors pyke|prover9 FILE``: one anchor over a recorded file.

Prints one JSON line on stdout: the counts, the ids excluded, ``import_s`` (loading the
route's libraries) and ``stage_s`` (the items, timed in process); ``--items`` adds each
item's answer. Pyke's own progress lines go to stderr, as Logic-LM leaves them on.
The process starts as lean as an environment with only the anchor's libraries
(see ``_lean_imports``), so whole-process figures do not charge it for ours.
This is the process ``bench/side_by_side.py`` times against ``logicsvc eval programs``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
from pathlib import Path

from bench.anchors import ROUTES, missing, read_items, run_items


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.anchors", description=__doc__)
    parser.add_argument("route", choices=sorted(ROUTES))
    parser.add_argument("file", type=Path, help="Logic-LM's recorded programs (JSON list)")
    parser.add_argument("--exclude", action="append", default=[], metavar="ID")
    parser.add_argument("--items", action="store_true", help="also list every item's answer")
    args = parser.parse_args(argv)
    if absent := missing(args.route):
        print(f"the {args.route} anchor needs {', '.join(absent)}: pip install -e '.[anchors]'")
        return 2
    items, dropped = read_items(args.file, args.exclude)
    _lean_imports()
    start = time.perf_counter()
    with contextlib.redirect_stdout(sys.stderr):
        if args.route == "pyke":
            from bench.anchors.pyke_route import PykeSolver as Solver
        else:
            from bench.anchors.prover9_route import Prover9Solver as Solver  # type: ignore[assignment]
        solve = Solver()  # Pyke's scratch folder; the Prover9 binary
        import_s = time.perf_counter() - start
        summary = run_items(items, solve)
    summary.excluded = dropped
    print(json.dumps({**summary.to_dict(items=args.items), "import_s": import_s}))
    return 0


# NLTK imports these eagerly when they are installed (our dev extra has them: 3 s of
# start-up here); neither route uses them, and an environment with only the anchor's
# libraries would not pay for them, so the anchor's process does not either.
_OPTIONAL = ("numpy", "scipy", "sklearn", "pandas", "matplotlib")


def _lean_imports() -> None:
    """Make NLTK's optional imports fail fast, as in an environment without them."""
    for name in _OPTIONAL:
        sys.modules.setdefault(name, None)  # type: ignore[assignment]


if __name__ == "__main__":
    sys.exit(main())
