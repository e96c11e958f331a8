"""Every Z3 check is bounded by its call's deadline through the watchdog thread (issue 18,
round 4): a spinning check stops, an interrupt never reaches another problem, threads keep
their contexts apart, and the thread never keeps a process alive."""

from __future__ import annotations

import ast
import ctypes
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import z3

from logicsvc.errors import LogicsvcError
from logicsvc.load import load_formulas, load_problem, load_task
from logicsvc.provers import Limits, Result, choice, z3_backend, z3_contexts, z3_watchdog
from logicsvc.provers.z3_contexts import shared_context
from logicsvc.syntax.ast import ChoiceProblem, Problem
from logicsvc.translate.formats import to_dsl_program
from tests.threads import in_new_thread

ROOT = Path(__file__).resolve().parents[1]
DATASETS = ROOT.parent / "shared" / "datasets"

# A strict order without a last element: only infinite models, so Z3's search spins.
_SPIN_TEXT = """Predicates:
Lt(x, y)
Premises:
∀x ∃y Lt(x, y)
∀x ¬Lt(x, x)
∀x ∀y ∀z ((Lt(x, y) ∧ Lt(y, z)) → Lt(x, z))
Conclusion:
P(a)
"""
SPIN = load_problem(_SPIN_TEXT).problem


def _gold(count: int) -> list[Problem]:
    path = DATASETS / "folio" / "folio-validation-A.jsonl"
    if not path.is_file():
        pytest.skip("FOLIO validation-A not found")
    problems = []
    for line in path.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        try:
            problems.append(
                load_formulas(item["premises-FOL"], item["conclusion-FOL"], lenient=True).problem
            )
        except LogicsvcError:
            continue
        if len(problems) == count:
            break
    return problems


def _deduction(count: int) -> list[ChoiceProblem]:
    path = DATASETS / "llm_programs" / "logiclm" / "LogicalDeduction_dev-A_gpt-4.json"
    if not path.is_file():
        pytest.skip("Logic-LM's LogicalDeduction programs not found")
    problems = []
    for item in json.loads(path.read_text(encoding="utf-8")):
        try:
            _, dsl, _ = to_dsl_program(item["raw_logic_programs"][0], lenient=True)
            task = load_task(dsl, lenient=True).problem
        except LogicsvcError:
            continue
        if isinstance(task, ChoiceProblem):
            problems.append(task)
        if len(problems) == count:
            break
    return problems


def _answer(result: Result) -> tuple[Any, ...]:
    return (result.status, result.verdict, result.used_premises, result.warnings)


def _reference(problems: list[Problem]) -> list[tuple[Any, ...]]:
    return in_new_thread(
        lambda: [_answer(z3_backend.prove(p, Limits(), explain=False)) for p in problems]
    )


def test_a_spinning_check_stops_at_its_deadline_and_the_next_problem_decides() -> None:
    problems = _gold(12)
    expected = _reference(problems)
    before = shared_context()
    stopped = z3_backend.prove(SPIN, Limits(timeout_s=0.3))
    assert (stopped.status, stopped.verdict, stopped.error) == ("timeout", None, None)
    assert stopped.stats["checks"] == 1  # the first check spun; the second never ran
    assert shared_context() is not before  # interrupted: never used again
    assert [_answer(z3_backend.prove(p, Limits(), explain=False)) for p in problems] == expected


def test_interrupts_racing_check_ends_never_change_a_later_decision(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Deadlines from 0.5 to 8 ms, about as long as a FOLIO problem's checks, so the watchdog
    fires before, during and just after them; after each such call the next problem, with
    its full budget, on the same thread, decides as it does alone."""
    problems = _gold(40)
    expected = _reference(problems)
    interrupts: list[bool] = []
    disarm = z3_watchdog.disarm

    def counted(arming: z3_watchdog.Arming) -> bool:
        interrupts.append(disarm(arming))
        return interrupts[-1]

    monkeypatch.setattr(z3_watchdog, "disarm", counted)
    outcomes: set[str] = set()
    for round_ in range(3):
        for i, problem in enumerate(problems):
            tiny = Limits(timeout_s=0.0005 * (1 + (i + round_) % 16))
            rushed = z3_backend.prove(SPIN if i % 10 == 0 else problem, tiny, explain=False)
            # (a check cut short may still leave a verdict, with a warning, as under Z3's
            # own timer; never another verdict)
            assert rushed.status in ("ok", "timeout"), rushed
            if rushed.status == "ok":
                assert rushed.verdict == expected[i][1]
            outcomes.add(rushed.status)
            after = problems[(i + 1) % len(problems)]
            decided = z3_backend.prove(after, Limits(), explain=False)
            assert _answer(decided) == expected[(i + 1) % len(problems)]
    assert any(interrupts) and "timeout" in outcomes  # the race did happen


def test_an_interrupt_just_after_a_check_retires_the_context(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Z3_interrupt outside a check leaves the context cancelled (z3 4.15: ``simplify``
    then hands back its input unsimplified): the problem's budget is spent, and its context
    serves no other problem."""
    real = z3_backend._check
    stale: list[z3.Context] = []

    def then_linger(solver: z3.Solver, assumptions: Any) -> str:
        answer = real(solver, assumptions)
        time.sleep(0.1)  # past the deadline, still armed: the watchdog fires now
        stale.append(solver.ctx)
        return answer

    problem = _gold(1)[0]
    expected = _reference([problem])
    before = shared_context()
    with monkeypatch.context() as patch:
        patch.setattr(z3_backend, "_check", then_linger)
        late = z3_backend.prove(problem, Limits(timeout_s=0.05), explain=False)
    assert late.status in ("ok", "timeout") and late.stats["checks"] == 1
    a = z3.Bool("a", stale[0])
    assert not z3.is_false(z3.simplify(z3.And(a, z3.Not(a))))  # what the retirement is for
    assert shared_context() is not before
    assert [_answer(z3_backend.prove(problem, Limits(), explain=False))] == expected


def test_threads_interrupt_only_their_own_contexts() -> None:
    """One thread's checks spin into their deadlines while another decides problem after
    problem with its own context: the other is never interrupted, nor its context retired."""
    problems = _gold(20)
    expected = _reference(problems)
    done = threading.Event()
    spins: list[Result] = []

    def spin() -> None:
        while not done.is_set():
            spins.append(z3_backend.prove(SPIN, Limits(timeout_s=0.02), explain=False))

    def decide() -> tuple[list[tuple[Any, ...]], bool]:
        before = shared_context()
        answers = [_answer(z3_backend.prove(p, Limits(), explain=False)) for p in problems * 3]
        return answers, shared_context() is before

    spinner = threading.Thread(target=spin)
    spinner.start()
    try:
        answers, kept = in_new_thread(decide)
    finally:
        done.set()
        spinner.join()
    assert answers == expected * 3 and kept
    assert spins and all(r.status == "timeout" for r in spins)


def test_the_watchdog_never_keeps_a_process_alive() -> None:
    """A check armed far into the future when the program ends: the process still exits."""
    script = (
        "import time, z3\n"
        "from logicsvc.load import load_problem\n"
        "from logicsvc.provers import Limits, z3_backend, z3_watchdog\n"
        "p = load_problem('Premises:\\nP(a)\\nConclusion:\\nP(a)\\n').problem\n"
        "assert z3_backend.prove(p, Limits()).verdict == 'true'\n"
        "z3_watchdog.arm(z3_watchdog.Arming(z3.Context(), time.monotonic() + 3600))\n"
        "print('end')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert (done.returncode, done.stdout) == (0, "end\n"), done.stderr


def test_every_check_runs_armed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The yes/no path (both checks, the premises-only check of a contradiction, the
    countermodel's search in a fresh context) and the multiple-choice path."""
    real = z3_backend._check
    seen: list[bool] = []

    def watched(solver: z3.Solver, assumptions: Any) -> str:
        seen.append(z3_watchdog.armed(solver.ctx))
        return real(solver, assumptions)

    monkeypatch.setattr(z3_backend, "_check", watched)
    contradiction = load_problem("Premises:\nP(a)\n¬P(a)\nQ(b)\nConclusion:\nR(c)\n").problem
    results = [z3_backend.prove(p, Limits()) for p in [*_gold(12), contradiction]]
    assert {r.verdict for r in results} >= {"true", "false", "unknown"}
    assert results[-1].status == "contradictory_premises"
    assert any(r.countermodel for r in results)  # found again in a fresh context
    chosen = [choice.choose(p) for p in _deduction(4)]
    assert all(c.status == "ok" for c in chosen)
    counted = sum(r.stats["checks"] for r in results) + sum(c.stats["checks"] for c in chosen)
    assert len(seen) == counted and all(seen)


# Calls that run a Z3 search; only ``z3_backend._check`` may make one (under an arming).
_SEARCHES = ("Z3_solver_check", "Z3_optimize_check", "Z3_fixedpoint_query", "Z3_tactic_apply")
_Z3_SEARCHES = ("solve", "prove", "solve_using", "Optimize", "Fixedpoint", "Tactic", "Then")


def _sources() -> dict[Path, str]:
    files = {p.resolve() for d in ("logicsvc", "provers") for p in (ROOT / d).rglob("*.py")}
    return {p: p.read_text(encoding="utf-8") for p in sorted(files)}


def test_no_z3_search_runs_outside_the_armed_check() -> None:
    checks = _check_lines()
    offenders = []
    for path, source in _sources().items():
        where = str(path.relative_to(ROOT.resolve()))
        for node in ast.walk(ast.parse(source)):
            offence = _offence(where, node)
            if offence and (where, getattr(node, "lineno", 0)) not in checks:
                offenders.append(f"{where}:{getattr(node, 'lineno', 0)} {offence}")
    assert offenders == []


def _offence(where: str, node: ast.AST) -> str | None:
    """What in ``node`` could start a Z3 search, if anything."""
    name = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")
    if isinstance(name, str) and name.startswith(_SEARCHES):
        return name
    if (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "z3"
        and node.attr in _Z3_SEARCHES
    ):
        return f"z3.{node.attr}"
    called = node.func if isinstance(node, ast.Call) else None
    if isinstance(called, ast.Attribute) and called.attr == "check":
        return None if _allowed_check(where, called.value) else ".check()"
    return None


def _check_lines() -> set[tuple[str, int]]:
    """The lines of ``z3_backend._check``, the one place a search may start."""
    tree = ast.parse((ROOT / "provers" / "z3_backend.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == "_check":
            end = node.end_lineno or node.lineno
            return {("provers/z3_backend.py", n) for n in range(node.lineno, end + 1)}
    raise AssertionError("z3_backend._check is gone")


def _allowed_check(where: str, receiver: ast.expr) -> bool:
    """``budget.check`` (every Z3 check goes through it) and the LLM loop's options."""
    name = receiver.attr if isinstance(receiver, ast.Attribute) else getattr(receiver, "id", "")
    return name == "budget" or (where, name) == ("logicsvc/llm/loop.py", "options")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads glibc's sigaction")
def test_a_check_leaves_the_processs_sigint_handler_alone() -> None:
    """``ctrl_c=False``: a check does not swap in Z3's SIGINT handler (it would swallow a
    Ctrl-C, or a server's SIGINT, meant for Python)."""
    libc = ctypes.CDLL(None, use_errno=True)
    sigint = 2

    def handler() -> int:
        action = ctypes.create_string_buffer(512)  # struct sigaction; sa_handler comes first
        assert libc.sigaction(sigint, None, action) == 0
        return int.from_bytes(action.raw[:8], sys.byteorder)

    before = handler()
    seen: set[int] = set()
    worker = threading.Thread(target=lambda: z3_backend.prove(SPIN, Limits(timeout_s=0.5)))
    worker.start()
    while worker.is_alive():
        seen.add(handler())
        time.sleep(0.005)
    worker.join()
    assert seen == {before}


def test_a_retired_context_is_not_handed_out_again() -> None:
    ctx = shared_context()
    z3_contexts.retire(z3.Context())  # another context: nothing happens
    assert shared_context() is ctx
    z3_contexts.retire(ctx)
    assert shared_context() is not ctx


def test_a_check_that_raises_leaves_nothing_armed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C in the middle of a check: the arming ends with it (a leftover one would hold
    its context and be interrupted every ``_REPEAT_S`` for ever)."""
    contexts: list[z3.Context] = []

    def interrupted(solver: z3.Solver, assumptions: Any) -> str:
        contexts.append(solver.ctx)
        assert z3_watchdog.armed(solver.ctx)
        raise KeyboardInterrupt

    monkeypatch.setattr(z3_backend, "_check", interrupted)
    with pytest.raises(KeyboardInterrupt):
        z3_backend.prove(_gold(1)[0], Limits())
    assert contexts and not z3_watchdog.armed(contexts[0])


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork here")
def test_a_forked_child_has_a_watchdog_of_its_own() -> None:
    """The parent's thread is not copied into a child of ``fork``; the child starts its own
    (and a lock the parent's thread held at the fork cannot block it)."""
    z3_backend.prove(SPIN, Limits(timeout_s=0.05))  # the parent's watchdog runs
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: a deadline, not the rlimit, must stop the spin
        try:
            before = shared_context()
            result = z3_backend.prove(SPIN, Limits(timeout_s=0.2, rlimit=5_000_000))
            os.write(write, f"{result.status} {shared_context() is not before}".encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        said = pipe.read()
    os.waitpid(pid, 0)
    assert said == "timeout True"


_CTRL_C_CHILD = """
import signal, sys
signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a terminal (not a background job)
from logicsvc.load import load_problem
from logicsvc.provers import Limits, z3_backend
problem = load_problem(sys.stdin.read()).problem
print("ready", flush=True)
try:
    z3_backend.prove(problem, Limits(timeout_s=120))
except KeyboardInterrupt:
    print("stopped by Ctrl-C", flush=True)
    raise SystemExit(130)
print("finished", flush=True)
"""


def test_ctrl_c_stops_a_check_in_the_main_thread_at_once() -> None:
    """In a command's main thread a Ctrl-C ends the running check and raises
    ``KeyboardInterrupt``, instead of waiting for the check's deadline (120 s here)."""
    child = subprocess.Popen(
        [sys.executable, "-c", _CTRL_C_CHILD],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert child.stdin is not None and child.stdout is not None
    child.stdin.write(_SPIN_TEXT)
    child.stdin.close()
    assert child.stdout.readline().strip() == "ready"
    time.sleep(1.0)  # into the spinning check
    child.send_signal(2)
    try:
        child.wait(timeout=60)
    finally:
        child.kill()
    assert "stopped by Ctrl-C" in child.stdout.read()
    assert child.returncode == 130


def test_z3_catches_ctrl_c_only_where_python_would_raise_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import signal

    # Python's default handler, as in a terminal (a background job starts with SIGINT ignored)
    monkeypatch.setattr(signal, "getsignal", lambda _: signal.default_int_handler)
    assert z3_backend._catches_ctrl_c()  # the main thread
    assert not in_new_thread(z3_backend._catches_ctrl_c)
    monkeypatch.setattr(signal, "getsignal", lambda _: signal.SIG_IGN)  # a prover worker
    assert not z3_backend._catches_ctrl_c()
