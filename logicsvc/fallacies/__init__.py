"""Fallacy detection: a classifier for the informal kinds, a prover for the formal ones.

Every classifier answers :class:`Prediction` for each text; the job runner
(:mod:`jobs`) streams a collection through one, resumably; the formal check
(:mod:`formal`) proves what can be formalised and, for an invalid inference,
explains it with a countermodel.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

LABELS: tuple[str, ...] = (
    "ad hominem",
    "ad populum",
    "appeal to emotion",
    "circular reasoning",
    "equivocation",
    "fallacy of credibility",
    "fallacy of extension",
    "fallacy of logic",
    "fallacy of relevance",
    "false causality",
    "false dilemma",
    "faulty generalization",
    "intentional",
)
"""The 13 classes of the Logic (edu) dataset; ``none`` is the 14th answer."""
NONE = "none"


@dataclass(frozen=True, slots=True)
class Prediction:
    label: str
    """One of :data:`LABELS`, or ``none``."""
    confidence: float
    rationale: str
    formal: dict[str, Any] | None = None
    """When the argument was formalised: verdict, program, countermodel."""
    extra: dict[str, Any] = field(default_factory=dict)
    error: dict[str, Any] | None = None
    """This text got no answer (one LLM request refused, say): no label, and why not."""

    @classmethod
    def failed(cls, error: dict[str, Any]) -> Prediction:
        return cls(NONE, 0.0, "", error=error)

    def to_dict(self) -> dict[str, Any]:
        if self.error is not None:
            return {"label": None, "error": self.error}
        out: dict[str, Any] = {
            "label": self.label,
            "confidence": round(self.confidence, 4),
            "rationale": self.rationale,
        }
        if self.formal is not None:
            out["formal"] = self.formal
        out.update(self.extra)
        return out


class Classifier(Protocol):
    """Texts in, one prediction each, in order."""

    name: str

    async def classify(self, texts: Sequence[str]) -> list[Prediction]: ...
