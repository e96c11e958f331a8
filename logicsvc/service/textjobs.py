"""A ``/v1/prove`` request's text, parsed, checked and proved in one prover worker job.

Why in the worker rather than on the server's parse threads (issue 18): a FOLIO program
parses in ~2 ms of pure Python, which on the server held the GIL that the event loop
needs (each request also paid a thread hand-off), and the parsed ``Problem`` was then
pickled to the worker and back (~0.2-0.6 ms). In the worker only the text travels, the
event loop serves HTTP alone, and a flood of parse work queues on processes that can be
killed. The limits checked here are the ones that need the parsed problem; the cheap
ones (text length, nesting, premise lines) stay in the route, before any job is sent.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from logicsvc.checks import CheckedChoice
from logicsvc.errors import FragmentError
from logicsvc.provers import Backend, World, choose
from logicsvc.provers.result import ChoiceResult, Limits, Result
from logicsvc.service.limits import check_premise_count
from logicsvc.syntax.ast import Problem
from logicsvc.syntaxes import load_formulas_in_syntax, load_in_syntax

_QUESTION = re.compile(
    r"^[ \t]*Question:[ \t]*((?:must|could|cannot) be (?:true|false)(?: except)?|accurate list)"
    r"[ \t]*(?:#[^\r\n]*)?\r?$",
    re.MULTILINE,
)
"""A DSL program's question line, as the grammar's QUESTION_HEADER QUESTION_KIND reads it."""
PARSE_S_PER_CHAR = 30 / 1_000_000
"""The pool's backstop allows a text job this long per character of text on top of the
prover's deadline: twice the ~15 s per MB a large program takes to parse."""


@dataclass(frozen=True)
class ProveText:
    """What ``/v1/prove`` was sent: a whole ``program``, or ``premises`` + ``conclusion``."""

    program: str | None
    premises: tuple[str, ...]
    conclusion: str
    syntax: str | None
    lenient: bool
    max_premises: int
    backend: Backend
    world: World

    def chars(self) -> int:
        return len(self.program or "") + sum(map(len, self.premises)) + len(self.conclusion)

    def question_kind(self) -> str | None:
        """The kind of the multiple-choice question the program ends with, read from its
        text: for a job the pool stopped or lost, whose worker never said what it parsed.
        Only on that rare path, so the server still parses nothing on a request's way in."""
        if self.program is None or self.syntax not in (None, "dsl"):
            return None
        found = _QUESTION.search(self.program)
        return found.group(1) if found else None


@dataclass(frozen=True)
class Proved:
    """A text job's answer: the prover's result and the loader's warnings (repairs)."""

    result: Result | ChoiceResult
    warnings: tuple[str, ...] = ()


def prove_text(request: ProveText, limits: Limits, job: Callable[..., Result]) -> Proved:
    """Run in a worker: load ``request`` as the route used to, then prove or choose."""
    if request.program is not None:
        task, _ = load_in_syntax(request.program, request.syntax, lenient=request.lenient)
        check_premise_count(request.max_premises, len(task.problem.premises))
        if isinstance(task, CheckedChoice):
            if request.backend == "backward" or request.world != "open":
                raise FragmentError("multiple-choice questions are decided by z3, open world")
            return Proved(choose(task.problem, limits), task.warnings)
        problem: Problem = task.problem
        warnings = task.warnings
    else:
        checked = load_formulas_in_syntax(
            list(request.premises), request.conclusion, request.syntax, lenient=request.lenient
        )
        problem, warnings = checked.problem, checked.warnings
    return Proved(job(problem, limits, backend=request.backend, world=request.world), warnings)
