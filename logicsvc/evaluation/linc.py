"""``eval programs --format linc``: LINC's recorded multi-sample generations, voted by us.

LINC (Olausson et al., EMNLP 2023) published, per problem, several raw LLM generations
in NLTK/Prover9 notation (``TEXT:``/``FOL:`` line pairs, the last pair the conclusion)
and its own per-sample answers.  Every sample goes through our Prover9 reader, checks and
prover; the problem's answer is the self-consistency vote of the live loop
(:func:`logicsvc.llm.outcome.vote`).  LINC's answers are only compared with, never used.

A sample that does not load is classified: ``notation`` when it is first-order logic in a
notation we do not read (function symbols, arithmetic comparisons, an implication chain
whose grouping NLTK and Prover9 disagree on), ``model`` when no first-order notation reads
it (sets, lists, ``...``, unbalanced parentheses, prose) or it breaks the checks (one
name as predicate and constant: LINC's pipeline fails on it too, in NLTK's type check),
``fragment`` when the problem is fine but outside the chosen world's prover (``--world
explicit`` takes rule bases only).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from logicsvc import provers
from logicsvc.checks import check_program
from logicsvc.errors import InputError, LogicsvcError
from logicsvc.evaluation.common import ProgramTally, open_sink
from logicsvc.llm.outcome import agreement_of, vote
from logicsvc.provers import Backend, Limits, World
from logicsvc.syntax.ast import Program, Statement
from logicsvc.syntax.prover9 import parse_prover9_formula
from logicsvc.szs import szs_status

_LABELS = {"true": "true", "false": "false", "uncertain": "unknown", "unknown": "unknown"}
THRESHOLDS = (0.5, 0.7, 0.9)
_NOTATION_CODES = {"function_symbol", "arithmetic", "ambiguous_chain"}


def read_sample(text: str, *, lenient: bool) -> tuple[Program, list[str]]:
    """A generation's ``FOL:`` lines → premises and (the last one) the conclusion."""
    statements: list[Statement] = []
    notes: list[str] = []
    lines = [line for line in text.split("\n") if line.strip().startswith("FOL:")]
    if not lines:
        raise InputError("the sample has no 'FOL:' line", code="no_formula")
    for number, line in enumerate(lines, start=1):
        formula_text = line.strip()[len("FOL:") :].strip()
        try:
            formula, warnings = parse_prover9_formula(formula_text, lenient=lenient)
        except LogicsvcError as exc:
            exc.message = f"formula {number}: {exc.message}"
            raise
        notes.extend(f"formula {number}: {w}" for w in warnings)
        statements.append(Statement(formula))
    return Program((), tuple(statements[:-1]), (statements[-1],)), notes


def failure_class(error: dict[str, Any]) -> str:
    """``notation`` (first-order, a notation we do not read), ``fragment`` (valid, but
    outside the chosen prover's fragment) or ``model`` (not a valid problem)."""
    code = str(error.get("code", ""))
    if code == "outside_fragment":
        return "fragment"
    if code in _NOTATION_CODES:
        return "notation"
    if code == "syntax_error":
        found = str(error.get("message", ""))
        if any(f"unexpected {op!r}" in found for op in ("<", ">", "<=", ">=")):
            return "notation"  # arithmetic comparison
        if "chain of -> or <->" in found:
            return "notation"
    return "model"


def run_sample(
    text: str, *, lenient: bool, limits: Limits, backend: Backend, world: World
) -> dict[str, Any]:
    """One generation → ``{answer, status, szs_status, error?, failure?}``; never raises."""
    try:
        try:
            program, _ = read_sample(text, lenient=lenient)
            problem = check_program(program).problem
        except RecursionError:
            raise InputError("formula is nested too deeply", code="too_deep") from None
        result = provers.prove(problem, limits, backend=backend, world=world, explain=False)
    except LogicsvcError as exc:
        error = exc.to_dict()
        status = "invalid_input" if isinstance(exc, InputError) else "error"
        return {
            "answer": None,
            "status": status,
            "szs_status": szs_status(status, None, str(error.get("code"))),
            "error": error,
            "failure": failure_class(error) if status == "invalid_input" else "ours",
        }
    out: dict[str, Any] = {
        "answer": result.verdict,
        "status": result.status,
        "szs_status": szs_status(result.status, result.verdict),
    }
    if result.error:
        out["error"] = result.error
    return out


@dataclass
class Summary(ProgramTally):
    samples: int = 0
    samples_executable: int = 0
    recorded_same: int = 0
    recorded_answered: int = 0
    recorded_answered_same: int = 0
    linc_majority_correct: int = 0
    linc_executable: int = 0
    failures: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    agreements: list[tuple[float, bool]] = field(default_factory=list)

    def add(self, record: dict[str, Any]) -> None:
        super().add(record)
        self.outcomes[record.get("outcome", "none")] += 1
        if record.get("predicted") is not None and record.get("agreement") is not None:
            self.agreements.append((record["agreement"], record["predicted"] == record["gold"]))
        self.linc_majority_correct += record.get("linc_majority") == record["gold"] and bool(
            record.get("linc_majority")
        )
        for sample in record.get("samples", []):
            self.samples += 1
            self.samples_executable += sample["status"] in ("ok", "contradictory_premises")
            recorded = sample.get("recorded")
            self.linc_executable += recorded is not None
            self.recorded_same += sample["answer"] == recorded
            if sample["answer"] is not None and recorded is not None:
                self.recorded_answered += 1
                self.recorded_answered_same += sample["answer"] == recorded
            if sample.get("failure"):
                self.failures[sample["failure"]] += 1

    def by_agreement(self) -> dict[str, dict[str, float]]:
        """For each threshold: how many answers have at least that share, how many right."""
        out: dict[str, dict[str, float]] = {}
        for threshold in THRESHOLDS:
            kept = [right for share, right in self.agreements if share >= threshold - 1e-9]
            out[f">={threshold}"] = {
                "answered": len(kept),
                "coverage": round(len(kept) / self.n, 4) if self.n else 0.0,
                "correct": sum(kept),
                "accuracy": round(sum(kept) / len(kept), 4) if kept else 0.0,
            }
        return out

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        out.update(
            samples=self.samples,
            samples_executable=self.samples_executable,
            agreement_with_recorded=round(self.recorded_same / self.samples, 4)
            if self.samples
            else 0.0,
            agreement_with_recorded_answered=round(
                self.recorded_answered_same / self.recorded_answered, 4
            )
            if self.recorded_answered
            else 0.0,
            by_agreement=self.by_agreement(),
            outcomes=dict(sorted(self.outcomes.items())),
            sample_failures=dict(sorted(self.failures.items())),
            recorded={
                "majority_correct": self.linc_majority_correct,
                "samples_executable": self.linc_executable,
            },
        )
        return out


def recorded_majority(answers: list[str | None]) -> str | None:
    """LINC's own vote, as its code takes it: the most common non-error answer, the first
    seen among equals (for comparison only)."""
    counts = Counter(a for a in answers if a is not None)
    return counts.most_common(1)[0][0] if counts else None


def evaluate_item(
    item: Any, *, lenient: bool, limits: Limits, backend: Backend, world: World
) -> dict[str, Any]:
    """One problem → one record; a malformed row is an ``invalid_input`` record."""
    raw = item if isinstance(item, dict) else {}
    record: dict[str, Any] = {"id": raw.get("id"), "gold": None, "predicted": None}
    record.update(parsed=False, repairs=[], world=world)
    samples = raw.get("samples")
    label = _LABELS.get(str(raw.get("label", "")).strip().lower())
    if label is None or not isinstance(samples, list) or not samples:
        error = InputError("a LINC row needs 'label' True/False/Uncertain and 'samples'")
        record.update(status="invalid_input", error=error.to_dict(), samples=[])
        return record
    record["gold"] = label
    recorded_raw = raw.get("linc_answers")
    recorded = list(recorded_raw) if isinstance(recorded_raw, list) else []
    runs = []
    for index, text in enumerate(samples):
        run = run_sample(str(text), lenient=lenient, limits=limits, backend=backend, world=world)
        theirs = recorded[index] if index < len(recorded) else None
        run["recorded"] = _LABELS.get(str(theirs).strip().lower()) if theirs else None
        runs.append(run)
    winners, votes = vote([r["answer"] for r in runs])
    record.update(
        samples=runs, votes=votes, parsed=any(r["status"] != "invalid_input" for r in runs)
    )
    record["linc_majority"] = recorded_majority([r["recorded"] for r in runs])
    if len(winners) == 1:
        record.update(status="ok", outcome="ok", predicted=winners[0])
        record["agreement"] = agreement_of(votes, winners[0])
    elif winners:
        record.update(status="tie", outcome="ambiguous")
        record["agreement"] = agreement_of(votes, winners[0])
    elif any(r["status"] == "contradictory_premises" for r in runs):
        record.update(status="contradictory_premises", outcome="contradictory_premises")
    else:
        first = next((r for r in runs if r.get("error")), None)
        record.update(status="invalid_input", outcome="all_failed")
        if first is not None:
            record["error"] = first["error"]
    record["szs_status"] = szs_status(record["status"], record["predicted"])
    return record


def evaluate(
    items: list[Any],
    *,
    lenient: bool = True,
    limits: Limits | None = None,
    backend: Backend = "auto",
    world: World | None = None,
    out: Path | None = None,
) -> Summary:
    limits = limits or Limits()
    summary = Summary()
    with open_sink(out) as sink:
        for index, item in enumerate(items):
            record = evaluate_item(
                item, lenient=lenient, limits=limits, backend=backend, world=world or "open"
            )
            record["id"] = record["id"] if record["id"] is not None else f"item{index}"
            summary.add(record)
            sink.write(record)
    return summary
