"""Response models of the HTTP API: the OpenAPI schema's 200 bodies, and what
:mod:`logicsvc.client` parses answers into.

The handlers build plain dicts (the CLI prints the same ones); these models
describe them, so a client gets types and the docs show fields, not ``object``.
They allow extra fields: a newer server may say more than an older client knows.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from logicsvc.service.schemas import ErrorDetail

Verdict = Literal["true", "false", "unknown"]
Status = Literal["ok", "contradictory_premises", "timeout", "error", "no_option", "several_options"]
"""``no_option`` / ``several_options``: a multiple-choice question with no single answer."""


class JSON(JSONResponse):
    """UTF-8 JSON, or ASCII-escaped where a lone surrogate cannot be encoded (an answer
    must never fail after its status is decided)."""

    def render(self, content: object) -> bytes:
        try:
            return super().render(content)
        except UnicodeEncodeError:
            return json.dumps(content, allow_nan=False, separators=(",", ":")).encode("ascii")


class _Response(BaseModel):
    model_config = ConfigDict(extra="allow")


class Countermodel(_Response):
    """A structure where every premise holds and the conclusion does not."""

    domain: list[str] = Field(..., examples=[["bob"]])
    facts: list[str] = Field(
        ...,
        description="Every atom over the domain; false ones start with ¬.",
        examples=[["Happy(bob)", "¬Rich(bob)"]],
    )
    equalities: list[str] = []
    truncated: bool = False
    undetermined: list[str] | None = Field(
        None, description="The explicit world: atoms derived neither way (the conclusion's)."
    )


class ProofNode(_Response):
    id: str
    label: str = Field(..., description="The derived literal, ⊥, or 'not provable: …'.")
    kind: Literal["fact", "rule", "hypothesis", "naf", "contradiction"]
    premise: int | None = Field(None, description="0-based index of the premise used here.")


class ProofEdge(_Response):
    source: str
    target: str


class Proof(_Response):
    """The proof tree as networkx node-link JSON: an edge leads from a conclusion to
    what it was derived from."""

    root: str
    nodes: list[ProofNode]
    edges: list[ProofEdge]
    directed: bool = True
    multigraph: bool = False
    graph: dict[str, Any] = {}


class ProverError(_Response):
    code: str
    message: str


class OptionAnswer(_Response):
    """One option of a multiple-choice question, as the question's kind judged it."""

    label: str = Field(..., examples=["A"])
    selected: bool
    entailed: bool | None = Field(None, description="None where the kind did not need it.")
    possible: bool | None = None
    used_premises: list[int] = Field([], description="The answer's: 0-based premises.")
    model: dict[str, Any] | None = Field(
        None, description="The answer's model: assignments and facts over finite sorts."
    )


class ProveResponse(_Response):
    """A yes/no problem's verdict, or a multiple-choice question's answer (``answer``,
    ``kind``, ``selected``, ``options``)."""

    verdict: Verdict | None = Field(None, description="Set exactly when status is ok (yes/no).")
    status: Status
    szs_status: str | None = Field(None, examples=["Theorem"])
    answer: str | None = Field(None, description="The selected option's letter (questions).")
    kind: str | None = Field(None, examples=["must be true"])
    selected: list[str] | None = None
    options: list[OptionAnswer] | None = None
    backend: str = Field(..., examples=["backward"])
    used_premises: list[int] = Field(..., description="0-based premises the proof needed.")
    countermodel: Countermodel | None = None
    proof: Proof | None = None
    error: ProverError | None = None
    warnings: list[str] = []
    elapsed_ms: float


class Attempt(_Response):
    """One LLM completion and what became of it."""

    sample: int
    round: int
    program: str
    dsl: str | None
    error: dict[str, Any] | None
    status: str | None
    verdict: str | None
    warnings: list[str]
    prompt_tokens: int
    completion_tokens: int
    latency_ms: float
    finish_reason: str | None


class SentenceRef(_Response):
    """Where a program premise came from, 1-based, in what the client sent."""

    premise: int = Field(..., description="1-based element of the request's premises.")
    sentence: int = Field(..., description="1-based sentence within that element.")
    text: str


class _Translated(_Response):
    translator: str
    program: str
    warnings: list[str] = []
    llm_calls: int = 0
    outcome: str | None = Field(None, description="The LLM loop's outcome (LLM translators).")
    votes: dict[str, int] | None = None
    attempts: list[Attempt] | None = None


class ReasonResponse(ProveResponse, _Translated):
    used_sentences: list[str] = []
    used_sources: list[SentenceRef] | None = None
    refined: bool | None = None
    tokens: int | None = None


class TranslateResponse(_Translated):
    pass


class BatchItem(_Response):
    """One problem's answer: a ReasonResponse's fields, or ``error`` when it failed."""

    index: int
    status: Literal[
        "ok",
        "contradictory_premises",
        "timeout",
        "error",
        "rejected",
        "no_option",
        "several_options",
    ]
    verdict: Verdict | None = None
    answer: str | None = None
    kind: str | None = None
    selected: list[str] | None = None
    options: list[OptionAnswer] | None = None
    error: ErrorDetail | None = None
    used_premises: list[int] = []
    used_sources: list[SentenceRef] | None = None
    countermodel: Countermodel | None = None
    proof: Proof | None = None
    program: str | None = None
    warnings: list[str] = []


class BatchResponse(_Response):
    results: list[BatchItem]


class FallacyResult(_Response):
    index: int
    label: str | None
    confidence: float | None = None
    rationale: str | None = None
    formal: dict[str, Any] | None = None
    error: dict[str, Any] | None = None


class FallaciesResponse(_Response):
    results: list[FallacyResult]


class Health(_Response):
    status: Literal["ok"]
    version: str


class Ready(_Response):
    ready: bool
    prover_workers: int
    llm: str


def ok(model: type[BaseModel], description: str = "the answer") -> dict[int | str, Any]:
    """A ``responses`` entry documenting the 200 body (handlers return dicts)."""
    return {200: {"model": model, "description": description}}


PROVE_EXAMPLES: dict[str, Any] = {
    "formulas": {
        "summary": "premises and a conclusion, as formulas",
        "value": {
            "premises": ["∀x (Man(x) → Mortal(x))", "Man(socrates)"],
            "conclusion": "Mortal(socrates)",
        },
    },
    "program": {
        "summary": "a whole DSL program",
        "value": {
            "program": "Premises:\n∀x (Man(x) → Mortal(x))\nMan(socrates)\n"
            "Conclusion:\nMortal(socrates)\n"
        },
    },
}
"""The request examples of ``/v1/prove`` (Swagger's "Try it out" sends the first): the
model's field examples together would send both forms, a 422."""
