"""What the refinement loop records and how its samples are voted into one answer.

Every attempt is kept (program, error, verdict, tokens, latency); a sample's outcome is its
best attempt, and the answer is a plurality vote over the samples that reached a verdict. A
tie or no verdict at all is a status of its own, never a guess.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any, Literal, cast

from logicsvc.provers import Result
from logicsvc.provers.result import ChoiceResult

__all__ = [
    "Attempt",
    "Judged",
    "LoopResult",
    "LoopStatus",
    "agreement_of",
    "outcome_of",
    "vote",
]

LoopStatus = Literal[
    "ok", "tie", "all_failed", "contradictory_premises", "no_option", "several_options"
]
_RAN = {"ok": 2, "contradictory_premises": 1, "no_option": 1, "several_options": 1}
"""How far an attempt got: a verdict (2); a program that ran to an outcome with no answer,
contradictory premises or a question with no single answer (1); else 0."""


@dataclass(frozen=True, slots=True)
class Attempt:
    """One completion and what logicsvc made of it."""

    sample: int
    round: int
    program: str
    """The program as extracted from the reply (fences and chatter removed)."""
    dsl: str | None
    """The DSL text that was loaded (``program`` converted when ProofWriter style)."""
    error: dict[str, Any] | None
    """``{"code", "message", "span"?, "context"?, "expected"?}``; None when status is ok."""
    status: str | None
    """The prover's status; None when the program never reached a prover."""
    verdict: str | None
    """``true``/``false``/``unknown``, or an option's letter for a multiple-choice program."""
    warnings: tuple[str, ...]
    prompt_tokens: int
    completion_tokens: int
    latency_ms: float
    finish_reason: str | None

    @property
    def rank(self) -> int:
        """0 failed, 1 executable with no answer (contradictory premises, a question with no
        single answer), 2 a verdict."""
        return _RAN.get(self.status or "", 0)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["warnings"] = list(self.warnings)
        return out


@dataclass(frozen=True, slots=True)
class LoopResult:
    status: LoopStatus
    verdict: str | None
    votes: dict[str, int]
    attempts: tuple[Attempt, ...]
    llm_calls: int
    prompt_tokens: int
    completion_tokens: int
    refined: bool
    """Refinement improved some sample: it failed in round 0 and later ran (better)."""
    program: str | None
    """The DSL of the lowest-numbered sample that carries the outcome."""
    result: Result | ChoiceResult | None
    first_round_verdict: str | None
    """What the vote would have said without refinement (for ablations)."""
    agreement: float | None = None
    """The winning verdict's share of the votes (for a tie, the tied verdicts' share each);
    None when no sample reached a verdict."""

    @property
    def outcome(self) -> str:
        """What a client reads: ``ambiguous`` for a tie (``status`` keeps saying ``tie``)."""
        return "ambiguous" if self.status == "tie" else self.status

    def to_dict(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["votes"] = dict(self.votes)
        out["attempts"] = [a.to_dict() for a in self.attempts]
        out["result"] = self.result.to_dict() if self.result is not None else None
        return out


@dataclass(frozen=True, slots=True)
class Judged:
    """An attempt and the prover's result for it (kept for the winning sample's proof)."""

    attempt: Attempt
    result: Result | ChoiceResult | None


def vote(verdicts: Sequence[str | None]) -> tuple[list[str], dict[str, int]]:
    """Plurality: the verdicts sharing the top count (two or more is a tie) and the votes."""
    votes = Counter(v for v in verdicts if v is not None)
    top = max(votes.values(), default=0)
    return sorted(v for v, count in votes.items() if count == top), dict(sorted(votes.items()))


def agreement_of(votes: dict[str, int], verdict: str) -> float:
    """``verdict``'s share of the votes cast: how strongly the samples agree on it."""
    cast = sum(votes.values())
    return round(votes.get(verdict, 0) / cast, 4) if cast else 0.0


def outcome_of(trails: list[list[Judged]], calls: int) -> LoopResult:
    """The vote over each sample's best attempt; every attempt kept, by round then sample."""
    # A sample's outcome is its best attempt, the latest among equals: a contradiction found
    # in round 1 still counts when the round-2 rewrite no longer parses.
    finals = [max(reversed(trail), key=lambda j: j.attempt.rank) for trail in trails]
    winners, votes = vote([j.attempt.verdict for j in finals])
    winner = winners[0] if len(winners) == 1 else None
    first_winners, _ = vote([trail[0].attempt.verdict for trail in trails])
    status: LoopStatus
    carrier: Judged | None = None
    if len(winners) > 1:
        status = "tie"
    elif winner is not None:
        status = "ok"
        carrier = next(j for j in finals if j.attempt.verdict == winner)
    elif any(j.attempt.rank == 1 for j in finals):
        carrier = next(j for j in finals if j.attempt.rank == 1)
        status = cast(LoopStatus, carrier.attempt.status)
    else:
        status = "all_failed"
    attempts = tuple(j.attempt for trail in trails for j in trail)
    attempts = tuple(sorted(attempts, key=lambda a: (a.round, a.sample)))
    return LoopResult(
        status=status,
        verdict=winner,
        votes=votes,
        attempts=attempts,
        llm_calls=calls,
        prompt_tokens=sum(a.prompt_tokens for a in attempts),
        completion_tokens=sum(a.completion_tokens for a in attempts),
        refined=any(
            f.attempt.rank > t[0].attempt.rank for f, t in zip(finals, trails, strict=True)
        ),
        program=carrier.attempt.dsl if carrier is not None else None,
        result=carrier.result if carrier is not None else None,
        first_round_verdict=first_winners[0] if len(first_winners) == 1 else None,
        agreement=agreement_of(votes, winners[0]) if winners else None,
    )
