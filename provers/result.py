"""The one result type every prover returns, and the limits every call carries.

``verdict`` is the logical answer and is only set when ``status == "ok"``:
``true`` (premises entail the conclusion), ``false`` (they entail its
negation), ``unknown`` (neither).  A solver that gives up does *not* produce
the verdict ``unknown``: it produces ``status="timeout"`` or ``"error"`` and no
verdict, so "the answer is Unknown" and "we could not tell" never mix.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

Verdict = Literal["true", "false", "unknown"]
Status = Literal["ok", "contradictory_premises", "timeout", "error"]
ChoiceStatus = Literal[
    "ok", "no_option", "several_options", "contradictory_premises", "timeout", "error"
]
"""A multiple-choice question's outcome: one option (``ok``), none, several, or as for
yes/no problems."""
World = Literal["open", "explicit", "closed", "closed-stated", "complete"]
"""open: classical logic.  explicit: open world with explicit negation and rules
that only fire forward (RuleTaker/ProofWriter).  complete: the explicit world made
complete, an atom that is not derived is false (``¬P ← not P`` for every predicate:
ProntoQA's ontologies).  closed: negation as failure
(stratified).  closed-stated: negation as failure judged against the stated
facts only (PARARULE-Plus: what the context does not state is false)."""


@dataclass(frozen=True, slots=True)
class Limits:
    """Per-call budget. Every solver call honours both numbers."""

    timeout_s: float = 10.0
    rlimit: int = 50_000_000
    """Z3 resource units (deterministic, machine-independent work bound)."""
    max_depth: int = 200
    """Deepest proof the backward chainer explores before giving up."""
    max_steps: int = 1_000_000
    """Inference steps the backward chainer may take (its resource limit)."""

    def __post_init__(self) -> None:
        if not 0 < self.timeout_s < math.inf:  # also refuses NaN
            raise ValueError(
                f"timeout_s must be a positive number of seconds, not {self.timeout_s}"
            )
        if self.rlimit <= 0 or self.max_depth <= 0 or self.max_steps <= 0:
            raise ValueError("rlimit, max_depth and max_steps must be positive")


@dataclass(frozen=True, slots=True)
class Result:
    status: Status
    verdict: Verdict | None = None
    backend: str = ""
    used_premises: tuple[int, ...] = ()
    """0-based indices of the premises a proof needed (true/false verdicts)."""
    countermodel: dict[str, Any] | None = None
    """For ``unknown``: a model of the premises where the conclusion is false."""
    proof: dict[str, Any] | None = None
    """Backward chainer: the proof tree as node-link JSON (networkx)."""
    error: dict[str, Any] | None = None
    """For ``status="error"``: ``{"code", "message"}``."""
    warnings: tuple[str, ...] = ()
    elapsed_ms: float = 0.0
    stats: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if (self.status == "ok") != (self.verdict is not None):
            raise ValueError("a verdict is given exactly when status is 'ok'")

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "status": self.status,
            "backend": self.backend,
            "used_premises": list(self.used_premises),
            "countermodel": self.countermodel,
            "proof": self.proof,
            "error": self.error,
            "warnings": list(self.warnings),
            "elapsed_ms": round(self.elapsed_ms, 3),
        }


@dataclass(frozen=True, slots=True)
class OptionResult:
    label: str
    selected: bool
    entailed: bool | None
    """Whether the premises entail the option; ``None`` where the question's kind did not
    need to know (only the check it reads is run)."""
    possible: bool | None
    """Whether the option is consistent with the premises; ``None`` likewise."""
    used_premises: tuple[int, ...] = ()
    """For the answer: the 0-based premises its check refuted (that entail it, or rule it
    out), as a minimised unsat core."""
    model: dict[str, Any] | None = None
    """For the answer: the model its check found (a witness where it holds, or one where it
    fails)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "selected": self.selected,
            "entailed": self.entailed,
            "possible": self.possible,
            "used_premises": list(self.used_premises),
            "model": self.model,
        }


@dataclass(frozen=True, slots=True)
class ChoiceResult:
    status: ChoiceStatus
    kind: str
    answer: str | None = None
    """The one selected option's label, exactly when ``status == "ok"``."""
    selected: tuple[str, ...] = ()
    options: tuple[OptionResult, ...] = ()
    used_premises: tuple[int, ...] = ()
    """For ``contradictory_premises``: the premises that contradict each other."""
    error: dict[str, Any] | None = None
    warnings: tuple[str, ...] = ()
    elapsed_ms: float = 0.0
    backend: str = "z3"
    stats: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if (self.status == "ok") != (self.answer is not None):
            raise ValueError("an answer is given exactly when status is 'ok'")

    @property
    def verdict(self) -> str | None:
        """The answer's letter, read where a yes/no result's verdict would be."""
        return self.answer

    def to_dict(self) -> dict[str, Any]:
        return {
            "answer": self.answer,
            "status": self.status,
            "kind": self.kind,
            "selected": list(self.selected),
            "options": [o.to_dict() for o in self.options],
            "used_premises": list(self.used_premises),
            "error": self.error,
            "warnings": list(self.warnings),
            "backend": self.backend,
            "elapsed_ms": round(self.elapsed_ms, 3),
        }
