"""A proof tree for a verdict Z3 decided, where the backward chainer can replay it.

Z3 answers with the premises its proof used (an unsat core), not with a proof a
person can follow.  Those premises alone may be a rule base even when the whole
problem is not (an unused disjunction put it outside the chainer's fragment), so
the chainer is run on them, briefly; when it reaches the same verdict its tree is
attached, its premise numbers mapped back to the whole problem's.
"""

from __future__ import annotations

import dataclasses

from logicsvc.errors import FragmentError
from logicsvc.provers.result import Limits, Result
from logicsvc.syntax.ast import Problem

REPLAY_S = 0.5
"""The chainer's time to replay: an explanation, never worth a slow answer."""
REPLAY_STEPS = 100_000


def with_proof(
    problem: Problem, decided: Result, limits: Limits, *, explain: bool = True
) -> Result:
    """``decided`` with the chainer's proof tree added where it replays the verdict.

    ``explain=False`` replays all the same (the premises a replayed proof used are the
    answer's ``used_premises``) but attaches no tree.
    """
    if decided.verdict not in ("true", "false") or decided.proof is not None:
        return decided
    if not decided.used_premises:
        return decided
    from logicsvc.provers import backward

    used = decided.used_premises
    sub = Problem(tuple(problem.premises[i] for i in used), problem.conclusion, problem.predicates)
    budget = Limits(
        timeout_s=min(REPLAY_S, limits.timeout_s),
        max_depth=limits.max_depth,
        max_steps=REPLAY_STEPS,
    )
    try:
        replayed = backward.prove(sub, budget, world="open", explain=explain)
    except FragmentError:
        return decided
    if replayed.verdict != decided.verdict:
        return decided
    mapped = tuple(used[i] for i in replayed.used_premises)
    if replayed.proof is None:  # not asked for: a true or false verdict always has one
        return dataclasses.replace(decided, used_premises=mapped)
    proof = dict(replayed.proof)
    proof["nodes"] = [
        {**node, "premise": None if node.get("premise") is None else used[node["premise"]]}
        for node in replayed.proof["nodes"]
    ]
    return dataclasses.replace(decided, proof=proof, used_premises=mapped)
