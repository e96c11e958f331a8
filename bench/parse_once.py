"""One cold pass of parse+check over a recorded Logic-LM file, in a fresh process.

Prints the seconds ``load_problem`` took over every program (ProofWriter style converted to
the DSL first, outside the clock). Run it against another checkout by putting that checkout
first on the path, alternating with this one (see BENCHMARKS.md, "Issue 18 — parsing")::

    git archive 4a097ce | tar -x -C /tmp/base
    PYTHONPATH=/tmp/base .venv/bin/python bench/parse_once.py FILE
    .venv/bin/python bench/parse_once.py FILE
"""

from __future__ import annotations

import json
import sys
import time

from logicsvc.errors import LogicsvcError
from logicsvc.load import load_problem
from logicsvc.syntax import grammar
from logicsvc.translate.formats import to_dsl_program


def main(path: str) -> float:
    grammar.parser()
    texts = []
    with open(path, encoding="utf-8") as stream:
        for item in json.load(stream):
            try:
                texts.append(to_dsl_program(item["raw_logic_programs"][0], lenient=True)[1])
            except LogicsvcError:
                continue
    start = time.perf_counter()
    for text in texts:
        try:
            load_problem(text, lenient=True)
        except LogicsvcError:
            continue
    return time.perf_counter() - start


if __name__ == "__main__":
    print(f"{main(sys.argv[1]):.3f}")
