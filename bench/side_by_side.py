"""logicsvc against Logic-LM's solver stages on the same recorded GPT-4 programs (issue 18).

Run from the repository root, after ``pip install -e '.[anchors]'``::

    .venv/bin/python bench/side_by_side.py            # both datasets, 5 runs each
    .venv/bin/python bench/side_by_side.py --runs 3 --only folio --json out.json

For each dataset it alternates, run by run (the machine is shared, so only a same-run
comparison means anything): the whole process ``logicsvc eval programs FILE``, the whole
process of the anchor (``python -m bench.anchors ROUTE FILE``, Logic-LM's stage: Pyke for
ProofWriter, NLTK + Prover9 for FOLIO), and logicsvc's stage alone (``programs.evaluate``
timed in a fresh process after its imports); the anchor reports its own stage time from
the same run. Both stages start after their solvers' libraries are imported (the anchor's:
Pyke, or NLTK + PLY; ours: ``z3`` and the provers, which the command itself imports on its
first item); each side's import time is printed apart. It prints the medians, the ratios
anchor / logicsvc and both sides' answer counts. ``--exclude ID`` drops an item from the
anchor's runs only (Logic-LM's parser blow-up, FOLIO's ``dev_68``); where that item is in
the file the anchor is timed both with and without it, and both are reported. Without the
anchor's packages it says so and exits 2.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if __package__ in (None, ""):  # run as a script: make ``bench.anchors`` importable
    sys.path.insert(0, str(ROOT))

from bench.anchors import missing  # noqa: E402

PROGRAMS = ROOT.parent / "shared" / "datasets" / "llm_programs" / "logiclm"
DATASETS = {  # name: (default file, anchor route, what the anchor is)
    "proofwriter": (PROGRAMS / "ProofWriter_dev-A_gpt-4.json", "pyke", "Logic-LM's Pyke stage"),
    "folio": (PROGRAMS / "FOLIO_dev-A_gpt-4.json", "prover9", "Logic-LM's Prover9 stage"),
}
BLOW_UP = "FOLIO_dev_68"  # Logic-LM's chart parser runs into its 60 s alarm on it
_MEASURES = ("wall_s", "cpu_s", "stage_s", "stage_cpu_s")
TIMEOUT_S = 1800  # per process: a run that hangs must not hang the benchmark

_STAGE = """
import json, sys, time
from pathlib import Path
from bench.anchors import cpu_seconds
from logicsvc.evaluation import programs
start = time.perf_counter()
import logicsvc.provers.backward, logicsvc.provers.z3_backend  # the provers and their solver
import_s = time.perf_counter() - start
start, cpu = time.perf_counter(), cpu_seconds()
tally = programs.evaluate(Path(sys.argv[1]))
stage = {"stage_s": time.perf_counter() - start, "stage_cpu_s": cpu_seconds() - cpu}
print(json.dumps({**stage, "import_s": import_s, **tally.to_dict()}))
"""


@dataclass
class Series:
    """One contestant's runs (whole process and stage alone, wall and CPU seconds) and
    its last answer counts."""

    label: str
    wall_s: list[float] = field(default_factory=list)
    cpu_s: list[float] = field(default_factory=list)
    stage_s: list[float] = field(default_factory=list)
    stage_cpu_s: list[float] = field(default_factory=list)
    import_s: list[float] = field(default_factory=list)
    """The solvers' libraries loaded before the stage's clock starts (outside it)."""
    answers: str = ""

    def median(self, which: str) -> float | None:
        values: list[float] = getattr(self, which)
        return statistics.median(values) if values else None


def timed(command: list[str]) -> tuple[float, float, dict[str, Any]]:
    """Wall and CPU seconds of one whole process (its children included) and the JSON of
    its last stdout line."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        command,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        timeout=TIMEOUT_S,
        check=True,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall, cpu, json.loads(done.stdout.strip().splitlines()[-1])


def logicsvc_command() -> list[str]:
    beside = Path(sys.executable).parent / "logicsvc"
    found = str(beside) if beside.exists() else shutil.which("logicsvc")
    if found is None:
        raise SystemExit("no logicsvc command: pip install -e . first")
    return [found]


def compare(name: str, path: Path, runs: int, exclude: list[str]) -> dict[str, Any]:
    """Alternate the contestants ``runs`` times on one file; medians and ratios."""
    _, route, anchor_label = DATASETS[name]
    ids = {item["id"] for item in json.loads(path.read_text(encoding="utf-8"))}
    present = [i for i in exclude if i in ids]
    ours = Series("logicsvc eval programs")
    anchor = Series(anchor_label)
    anchor_without = Series(f"{anchor_label} without {', '.join(present)}") if present else None
    steps: list[tuple[Series, list[str], bool]] = [
        (ours, [*logicsvc_command(), "eval", "programs", str(path)], False),
        (anchor, [sys.executable, "-m", "bench.anchors", route, str(path)], True),
        (ours, [sys.executable, "-c", _STAGE, str(path)], True),
    ]
    if anchor_without is not None:
        skip = [arg for i in present for arg in ("--exclude", i)]
        command = [sys.executable, "-m", "bench.anchors", route, str(path), *skip]
        steps.append((anchor_without, command, True))
    for run in range(runs):
        for series, command, stage in steps if run % 2 == 0 else steps[::-1]:
            wall, cpu, summary = timed(command)
            if stage:
                series.stage_s.append(summary["stage_s"])
                series.stage_cpu_s.append(summary["stage_cpu_s"])
                series.import_s.append(summary["import_s"])
            if not stage or series is not ours:
                series.wall_s.append(wall)
                series.cpu_s.append(cpu)
            executed = summary.get("executed", summary.get("executable"))
            series.answers = f"{summary['n']} items: {executed} run, {summary['correct']} correct"
        print(f"  {name}: run {run + 1}/{runs} done", file=sys.stderr, flush=True)
    contestants = [s for s in (ours, anchor, anchor_without) if s is not None]
    result: dict[str, Any] = {
        "file": str(path),
        "runs": runs,
        "excluded_from_anchor": present,
        "not_in_file": [i for i in exclude if i not in ids],
        "series": {s.label: {**vars(s)} for s in contestants},
        "ratios": {},
    }
    for other in contestants[1:]:
        result["ratios"][other.label] = {
            which: theirs / mine
            for which in _MEASURES
            if (mine := ours.median(which)) and (theirs := other.median(which))
        }
    print_table(name, result, contestants)
    return result


def print_table(name: str, result: dict[str, Any], contestants: list[Series]) -> None:
    sys.stderr.flush()
    print(f"\n{name}: {result['file']} ({result['runs']} alternating runs, medians)")
    if result["not_in_file"]:
        print(f"  (not in this file, nothing to exclude: {', '.join(result['not_in_file'])})")
    head = f"{'whole process, wall / CPU':>26} {'stage only, wall / CPU':>24} {'imports':>8}"
    print(f"  {'':44} {head}   answers")
    for series in contestants:
        whole, stage = _pair(series, "wall_s", "cpu_s"), _pair(series, "stage_s", "stage_cpu_s")
        imports = _s(series.median("import_s"))
        print(f"  {series.label:44} {whole:>26} {stage:>24} {imports:>8}   {series.answers}")
    for label, ratio in result["ratios"].items():
        wall, cpu, stage, stage_cpu = (_x(ratio.get(m)) for m in _MEASURES)
        print(f"  {label} / logicsvc: whole process {wall} wall, {cpu} CPU;")
        print(f"    stage only {stage} wall, {stage_cpu} CPU")
    sys.stdout.flush()


def _pair(series: Series, wall: str, cpu: str) -> str:
    return f"{_s(series.median(wall))} / {_s(series.median(cpu))}"


def _x(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}x"


def _s(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f} s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each contestant (5)")
    parser.add_argument("--only", choices=sorted(DATASETS), action="append")
    parser.add_argument("--proofwriter", type=Path, default=DATASETS["proofwriter"][0])
    parser.add_argument("--folio", type=Path, default=DATASETS["folio"][0])
    parser.add_argument(
        "--exclude",
        action="append",
        metavar="ID",
        help=f"drop from the anchor's runs only (default: {BLOW_UP} from FOLIO's)",
    )
    parser.add_argument("--json", type=Path, help="write every timing here")
    args = parser.parse_args(argv)
    names = args.only or list(DATASETS)
    absent = sorted({m for n in names for m in missing(DATASETS[n][1])})
    if absent:
        print(f"the anchors need {', '.join(absent)}: pip install -e '.[anchors]'")
        return 2
    files = {"proofwriter": args.proofwriter, "folio": args.folio}
    default = {"proofwriter": [], "folio": [BLOW_UP]}
    results = {
        name: compare(name, files[name], args.runs, args.exclude or default[name]) for name in names
    }
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
