"""How long a ``logicsvc`` command takes to start, against ``python -c pass`` in the same run.

Issue 18's goal is "startup of any CLI command < 150 ms before its first item". Each case
is a fresh process (``python -m logicsvc.cli …``), so every import, the grammar build and
typer's parameter handling count; a case that does work does the least of it:

- ``import``: ``import logicsvc.cli`` alone (the command table); the DSL parser's import,
  and its Lark grammar built (what the first parse of any command pays);
- ``--help``: the top-level help;
- ``prove``: the whole command on a two-premise rule base (backward chainer, a proof);
- ``eval programs`` on a file holding the first recorded program of ProofWriter (backward
  chainer) or FOLIO (Z3), with and without the progress bar: start-up plus one item;
- ``reason``: two sentences through the offline translator, then the chainer;
- ``export --tptp`` on the same rule base; ``eval folio-gold``, ``eval proofwriter``,
  ``eval prontoqa`` and ``eval logical-deduction`` (offline rules translators) on a
  one-item copy of the shared dataset;
  every other command's ``--help`` (``serve``, ``mcp``, ``replay-server``, ``fallacies``:
  their start-up is their command table and options, what ``--help`` parses).

The child processes run without ``PYTHONDONTWRITEBYTECODE`` and after one unmeasured
warm-up round, so they load byte-code from ``__pycache__`` as an installed package does
(pip compiles at install): with the variable set, which this repository's agents' shells
do, every ``logicsvc`` module is compiled from source in every run, ~40 ms more. The
warm-up round also leaves the per-user files a first run writes (the LALR tables, the
offline translators' lemma table: ``logicsvc.syntax.lark_cache``), so the measured rounds
read them, as every run after a user's first does.

``--first-item`` adds two columns for the commands that take items: the wall time from
the process's spawn and its CPU time when its first item begins (the issue's measure),
taken by running the command under a small wrapper that marks the first call of each
command's per-item function (``provers.prove`` for ``prove``, ``reasoning.reason``,
each evaluation's ``evaluate_item``) as its module is imported: no module is imported
earlier than the command itself imports it.

The cases run round-robin (``--rounds`` times), so a busy machine slows them alike;
``--other ROOT`` adds every case again run from another checkout of the repository (its
``logicsvc`` put first on ``PYTHONPATH``), to compare two versions in one run. Prints one
line per case: the median and the minimum wall time, and the median CPU time.

Reproduce: ``.venv/bin/python bench/startup.py --rounds 15`` (add ``--other DIR`` with,
e.g., ``git archive <commit> | tar -x -C DIR`` for a before/after comparison; ``--only
TEXT`` for the cases whose name holds TEXT).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"
SHARED = DATASETS / "llm_programs" / "logiclm"
TINY = """Premises:
∀x (Man(x) → Mortal(x)) ::: All men are mortal.
Man(socrates) ::: Socrates is a man.
Conclusion:
Mortal(socrates) ::: Socrates is mortal.
"""


def first_item(source: Path, target: Path) -> Path:
    """A one-program copy of a recorded file: start-up plus exactly one item."""
    target.write_text(json.dumps(json.loads(source.read_text())[:1]), encoding="utf-8")
    return target


def first_line(source: Path, target: Path) -> Path:
    """A one-line copy of a JSONL dataset."""
    with source.open(encoding="utf-8") as lines:
        target.write_text(next(lines), encoding="utf-8")
    return target


def cases(work: Path) -> dict[str, list[str]]:
    tiny = work / "tiny.fol"
    tiny.write_text(TINY, encoding="utf-8")
    cli = ["-m", "logicsvc.cli"]
    table = {
        "python -c pass": ["-c", "pass"],
        "import logicsvc.cli": ["-c", "import logicsvc.cli"],
        # the DSL parser: its import, then its Lark grammar built (once per process)
        "import logicsvc.syntax": ["-c", "import logicsvc.syntax"],
        "… + grammar.parser() built": [
            "-c",
            "from logicsvc.syntax import grammar; grammar.parser()",
        ],
        "logicsvc --help": [*cli, "--help"],
        "logicsvc prove tiny.fol": [*cli, "prove", str(tiny)],
        "logicsvc reason -p … -c … (offline)": [
            *cli,
            "reason",
            "-p",
            "All men are mortal. Socrates is a man.",
            "-c",
            "Socrates is mortal.",
        ],
    }
    for name, file in (
        ("ProofWriter", "ProofWriter_dev-A_gpt-4.json"),
        ("FOLIO", "FOLIO_dev-A_gpt-4.json"),
    ):
        if (SHARED / file).exists():
            one = first_item(SHARED / file, work / f"{name}-1.json")
            table[f"logicsvc eval programs {name} (1 item)"] = [*cli, "eval", "programs", str(one)]
            table[f"logicsvc eval --no-progress programs {name} (1 item)"] = [
                *cli,
                "eval",
                "--no-progress",
                "programs",
                str(one),
            ]
    table["logicsvc export --tptp tiny.fol"] = [*cli, "export", "--tptp", str(tiny)]
    datasets = (
        ("folio-gold", "folio/folio-validation-A.jsonl", first_line),
        ("proofwriter", "proofwriter/logiclm/dev-A.json", first_item),
        ("prontoqa", "prontoqa/dev-A.json", first_item),
        ("logical-deduction", "logical_deduction/dev-A.json", first_item),
    )
    for command, file, copy in datasets:
        if (DATASETS / file).exists():
            one = copy(DATASETS / file, work / f"{command}-1{Path(file).suffix}")
            table[f"logicsvc eval --no-progress {command} (1 item)"] = [
                *cli,
                "eval",
                "--no-progress",
                command,
                str(one),
            ]
    for command in ("serve", "mcp", "replay-server", "fallacies"):
        table[f"logicsvc {command} --help"] = [*cli, command, "--help"]
    return table


# the per-item function of each command that takes items, by module
ITEMS = {
    "logicsvc.provers": ("prove",),
    "logicsvc.reasoning": ("reason",),
    "logicsvc.evaluation.programs": ("evaluate_item",),
    "logicsvc.evaluation.offline": ("evaluate_item", "evaluate_choice_item"),
    "logicsvc.evaluation.folio_gold": ("evaluate_item",),
    "logicsvc.evaluation.choice_programs": ("evaluate_choice_item",),
}
MARK = """
import importlib.abc, importlib.machinery, json, os, runpy, sys, time
ITEMS, out = json.loads(os.environ["STARTUP_ITEMS"]), os.environ["STARTUP_MARK"]
def mark(module, name):
    inner = getattr(module, name)
    def first(*args, **kwargs):
        if not os.path.exists(out):
            with open(out, "w") as f:
                f.write(f"{time.time()} {time.process_time()}")
        return inner(*args, **kwargs)
    setattr(module, name, first)
class Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path, target=None):
        if fullname not in ITEMS:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return spec
        execute = spec.loader.exec_module
        def exec_module(module):
            execute(module)
            for name in ITEMS[fullname]:
                mark(module, name)
        spec.loader.exec_module = exec_module
        return spec
sys.meta_path.insert(0, Finder())
sys.argv = ["logicsvc", *sys.argv[1:]]
runpy.run_module("logicsvc.cli", run_name="__main__")
"""


def with_mark(args: list[str]) -> list[str] | None:
    """``args`` run under the first-item wrapper, or None for a case that is no command."""
    if args[:2] != ["-m", "logicsvc.cli"] or "--help" in args:
        return None
    return ["-c", MARK, *args[2:]]


def run_marked(args: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float] | None:
    """Wall time from the spawn to the first item, and the process's CPU time then; None
    for a command with no per-item function (``export``)."""
    mark = cwd / "first-item.mark"
    mark.unlink(missing_ok=True)
    marked_env = {**env, "STARTUP_ITEMS": json.dumps(ITEMS), "STARTUP_MARK": str(mark)}
    spawned = time.time()
    run_once(args, marked_env, cwd)
    if not mark.exists():
        return None
    when, cpu = map(float, mark.read_text().split())
    return when - spawned, cpu


def run_once(args: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one process: on a shared machine the CPU
    time is the steadier figure, since waiting for a core does not count in it."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=False,
    )
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    if done.returncode != 0:
        raise RuntimeError(f"{args} exited {done.returncode}: {done.stderr.decode()[-400:]}")
    return elapsed, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--other", type=Path, help="another checkout to compare, same run")
    parser.add_argument(
        "--only",
        action="append",
        metavar="TEXT",
        help="run only the cases whose name holds TEXT (repeatable); python -c pass always",
    )
    parser.add_argument(
        "--first-item",
        action="store_true",
        help="also time each item-taking command up to the start of its first item",
    )
    parsed = parser.parse_args()
    # offline: no LLM is configured, whatever the shell says (the temporary directory is
    # the working directory, so no .env is read either)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("LOGICSVC_") and k != "PYTHONDONTWRITEBYTECODE"
    }
    envs = {"this": env}
    if parsed.other is not None:
        envs["other"] = {**env, "PYTHONPATH": str(parsed.other.resolve())}
    with tempfile.TemporaryDirectory() as tmp:
        table = cases(Path(tmp))
        if parsed.only:
            table = {
                name: args
                for name, args in table.items()
                if name == "python -c pass" or any(text in name for text in parsed.only)
            }
        times: dict[tuple[str, str], list[tuple[float, float]]] = {}
        firsts: dict[tuple[str, str], list[tuple[float, float]]] = {}
        for round_ in range(parsed.rounds + 1):  # round 0 writes __pycache__, not counted
            for name, args in table.items():
                for label, run_env in envs.items():
                    measured = run_once(args, run_env, Path(tmp))
                    marked = with_mark(args) if parsed.first_item else None
                    first = None if marked is None else run_marked(marked, run_env, Path(tmp))
                    if round_:
                        times.setdefault((label, name), []).append(measured)
                        if first is not None:
                            firsts.setdefault((label, name), []).append(first)
    header = f"{'case (ms)':<58} {'wall median':>11} {'wall min':>8} {'cpu median':>10}"
    print(header + (f" {'1st item wall':>13} {'1st item cpu':>12}" if firsts else ""))
    for (label, name), runs in times.items():
        wall = [w for w, _ in runs]
        cpu = statistics.median(c for _, c in runs)
        shown = name if len(envs) == 1 else f"{name} [{label}]"
        line = (
            f"{shown:<58} {statistics.median(wall) * 1e3:11.0f} {min(wall) * 1e3:8.0f} "
            f"{cpu * 1e3:10.0f}"
        )
        if (label, name) in firsts:
            item = firsts[(label, name)]
            line += f" {statistics.median(w for w, _ in item) * 1e3:13.0f}"
            line += f" {statistics.median(c for _, c in item) * 1e3:12.0f}"
        print(line)


if __name__ == "__main__":
    main()
