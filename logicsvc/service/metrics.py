"""Prometheus metrics, one registry per app (no process-global state between apps)."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Histogram


@dataclass(frozen=True)
class Metrics:
    registry: CollectorRegistry
    requests: Histogram
    verdicts: Counter
    attempts: Counter
    refinements: Counter
    prover_seconds: Histogram
    llm_calls: Counter
    llm_tokens: Counter
    rejected: Counter

    @classmethod
    def create(cls) -> Metrics:
        r = CollectorRegistry()
        return cls(
            registry=r,
            requests=Histogram(
                "logicsvc_request_seconds",
                "HTTP request latency",
                ["route", "status"],
                registry=r,
            ),
            verdicts=Counter(
                "logicsvc_results_total",
                "Answers by status and verdict",
                ["status", "verdict"],
                registry=r,
            ),
            attempts=Counter("logicsvc_llm_attempts_total", "LLM program attempts", registry=r),
            refinements=Counter(
                "logicsvc_refined_total", "Problems whose outcome refinement changed", registry=r
            ),
            prover_seconds=Histogram(
                "logicsvc_prover_seconds", "Prover wall time", ["backend"], registry=r
            ),
            llm_calls=Counter("logicsvc_llm_calls_total", "Calls to the LLM server", registry=r),
            llm_tokens=Counter("logicsvc_llm_tokens_total", "LLM tokens", ["kind"], registry=r),
            rejected=Counter("logicsvc_rejected_total", "Requests refused", ["reason"], registry=r),
        )
