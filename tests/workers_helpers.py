"""A job for ``tests/test_workers.py`` that misbehaves on request.

It runs inside spawned worker processes, so it lives in an importable module of its own.
The conclusion's predicate picks the misdeed (``Sleep``, ``Exit``, ``Segv``, ``Hog``,
``Syntax``, ``Custom``); any other problem goes to the real prover, so a test can check
that the same pool still answers properly afterwards.
"""

from __future__ import annotations

import ctypes
import os
import time
from typing import Any

from logicsvc import provers
from logicsvc.errors import DSLSyntaxError, FragmentError, Span
from logicsvc.provers import Limits, Result
from logicsvc.syntax.ast import Atom, Problem


def misbehave(problem: Problem, limits: Limits, **options: Any) -> Result:
    formula = problem.conclusion.formula
    misdeed = formula.pred if isinstance(formula, Atom) else ""
    if misdeed == "Sleep":  # a runaway that ignores its own timeout
        time.sleep(30)
    elif misdeed == "Exit":
        os._exit(1)
    elif misdeed == "Segv":
        ctypes.string_at(0)
    elif misdeed == "Hog":  # far more address space than any test's memory_mb
        blocks = [bytearray(256 * 2**20) for _ in range(32)]
        return Result("ok", "true", stats={"blocks": len(blocks)})
    elif misdeed == "Syntax":
        span = Span(2, 3, 2, 5)
        raise DSLSyntaxError("unexpected token", span=span, context="ab\n  ^^", expected=("NAME",))
    elif misdeed == "Custom":
        raise FragmentError("not a rule base", code="custom_code")
    return provers.prove(problem, limits, **options)
