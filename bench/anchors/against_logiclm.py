"""Check the anchors against Logic-LM's own code: same answers, comparable time.

    git clone https://github.com/teacherpeterpan/Logic-LLM /tmp/Logic-LLM   # d29f1e5
    .venv/bin/python -m bench.anchors.against_logiclm --logiclm /tmp/Logic-LLM --runs 3

For each dataset it runs Logic-LM's ``Pyke_Program`` / ``FOL_Prover9_Program`` from that
checkout (unchanged, in a fresh process whose working directory is the checkout, as
Logic-LM expects) and our anchor, alternating, and prints the items where answer or flag
differ and both sides' median stage time. Two things are set up for Logic-LM's code to
run at all: ``PROVER9`` points at our copy of the binary (its module sets a relative
path that NLTK now refuses), and an empty ``models/compiled_krb`` left by an earlier
run is removed (Pyke would import it as a namespace package and fail every program).
Nothing of Logic-LM's is copied into this repository.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.anchors.prover9_route import prover9_folder

ROOT = Path(__file__).resolve().parents[2]
PROGRAMS = ROOT.parent / "shared" / "datasets" / "llm_programs" / "logiclm"
FILES = {
    "ProofWriter": ("pyke", "ProofWriter_dev-A_gpt-4.json"),
    "FOLIO": ("prover9", "FOLIO_dev-A_gpt-4.json"),
}

_LOGICLM = """
import contextlib, json, os, shutil, sys, time
sys.path.insert(0, "models")
shutil.rmtree("models/compiled_krb", ignore_errors=True)
with contextlib.redirect_stdout(sys.stderr):
    from symbolic_solvers.fol_solver.prover9_solver import FOL_Prover9_Program
    from symbolic_solvers.pyke_solver.pyke_solver import Pyke_Program
os.environ["PROVER9"] = sys.argv[3]
path, dataset = sys.argv[1], sys.argv[2]
kind = FOL_Prover9_Program if dataset == "FOLIO" else Pyke_Program
outcomes, start = [], time.perf_counter()
with contextlib.redirect_stdout(sys.stderr):
    for item in json.load(open(path)):
        program = kind(item["raw_logic_programs"][0].strip(), dataset)
        if program.flag is False:
            answer, flag = None, "parsing error"
        else:
            answer, _ = program.execute_program()
            flag = "execution error" if answer is None else "success"
            answer = None if answer is None else program.answer_mapping(answer)
        outcomes.append({"id": item["id"], "predicted": answer, "flag": flag})
stage_s = time.perf_counter() - start
shutil.rmtree("models/compiled_krb", ignore_errors=True)
print(json.dumps({"stage_s": stage_s, "outcomes": outcomes}))
"""


def _run(command: list[str], cwd: Path) -> dict[str, Any]:
    done = subprocess.run(
        command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, check=True
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def check(dataset: str, logiclm: Path, runs: int) -> None:
    route, name = FILES[dataset]
    path = PROGRAMS / name
    theirs_cmd = [sys.executable, "-c", _LOGICLM, str(path), dataset, str(prover9_folder())]
    ours_cmd = [sys.executable, "-m", "bench.anchors", route, str(path), "--items"]
    times: dict[str, list[float]] = {"Logic-LM": [], "anchor": []}
    for _ in range(runs):
        theirs = _run(theirs_cmd, logiclm)
        ours = _run(ours_cmd, ROOT)
        times["Logic-LM"].append(theirs["stage_s"])
        times["anchor"].append(ours["stage_s"])
    answers = {o["id"]: (o["predicted"], o["flag"]) for o in theirs["outcomes"]}
    differ = [o for o in ours["outcomes"] if answers[o["id"]] != (o["predicted"], o["flag"])]
    print(f"{dataset}: {len(answers)} items, answer and flag differ on {len(differ)}")
    for o in differ:
        print(f"  {o['id']}: Logic-LM {answers[o['id']]}, anchor {(o['predicted'], o['flag'])}")
    print(f"  anchor: {ours['executed']} run, {ours['correct']} correct")
    for who, values in times.items():
        print(f"  {who} stage: median {statistics.median(values):.2f} s over {runs} runs")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--logiclm", type=Path, required=True, help="a Logic-LLM checkout")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    for dataset in FILES:
        check(dataset, args.logiclm.resolve(), args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
