"""Request models of the HTTP API (pydantic), with examples for the OpenAPI docs.

Static bounds here stop absurd input early; the deployment's own limits
(``Settings.max_premises`` …) are checked per request in :mod:`limits`.
"""

from __future__ import annotations

import re
from typing import Literal, Self

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator, model_validator

from logicsvc.provers import World

Translator = Literal["auto", "rules", "llm"]
QuestionKindName = Literal[
    "must be true",
    "must be false",
    "could be true",
    "could be false",
    "cannot be true",
    "cannot be false",
    "must be true except",
    "must be false except",
    "could be true except",
    "could be false except",
    "cannot be true except",
    "cannot be false except",
    "accurate list",
]
"""The values of :class:`~logicsvc.syntax.ast.QuestionKind` (a test keeps them in step)."""
Backend = Literal["auto", "z3", "backward"]


_SURROGATE = re.compile("[\ud800-\udfff]")
_SOCRATES = "Premises:\n∀x (Man(x) → Mortal(x))\nMan(socrates)\nConclusion:\nMortal(socrates)\n"


class _Request(BaseModel):
    # a typo in an option is an error, not a no-op; and `false` is not a number of rounds
    model_config = ConfigDict(extra="forbid", strict=True)

    @model_validator(mode="after")
    def _text_is_text(self) -> Self:
        """JSON may escape half a UTF-16 pair (``"\\ud800"``); that is not text, and no
        answer quoting it could be encoded."""
        for name, value in self:
            for text in value if isinstance(value, list) else [value]:
                if isinstance(text, str) and (bad := _SURROGATE.search(text)):
                    raise ValueError(
                        f"'{name}' holds a lone surrogate, U+{ord(bad.group()):04X} at "
                        f"character {bad.start()}, which is not a character: send UTF-8 text"
                    )
        return self


class ProveRequest(_Request):
    """Either a whole ``program`` or ``premises`` + ``conclusion`` formulas."""

    # whole-request examples: per-field ones merge into one body with both forms, refused
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"program": _SOCRATES},
                {"premises": ["∀x (Man(x) → Mortal(x))", "Man(socrates)"],
                 "conclusion": "Mortal(socrates)"},
            ]
        }
    )  # fmt: skip

    program: str | None = None
    premises: list[str] | None = None
    conclusion: str | None = None
    lenient: bool = True
    prover: Backend = Field("auto", validation_alias=AliasChoices("prover", "backend"))
    """auto | z3 | backward (``backend`` is accepted too)."""
    world: World = "open"
    timeout_s: float | None = Field(None, gt=0, description="At most the server's prover timeout.")
    syntax: Literal["dsl", "prover9", "tptp"] | None = Field(
        None,
        description="Notation of the program or formulas; detected from a program's content "
        "when absent (formulas: dsl). TPTP needs a whole program.",
    )

    @model_validator(mode="after")
    def _one_form(self) -> ProveRequest:
        if (self.program is None) == (self.conclusion is None):
            raise ValueError("send either 'program', or 'premises' and 'conclusion'")
        if self.program is not None and self.premises is not None:
            raise ValueError("'premises' goes with 'conclusion', not with 'program'")
        return self


class TranslateRequest(_Request):
    """Natural-language premises and a conclusion, or a question with lettered options."""

    premises: list[str] = Field(..., examples=[["All men are mortal.", "Socrates is a man."]])
    conclusion: str | None = Field(None, min_length=1, examples=["Socrates is mortal."])
    options: list[str] | None = Field(
        None,
        min_length=1,
        max_length=26,
        description="Instead of a conclusion: the options, lettered A, B, … in order (a "
        "leading 'A)' or '(A)' is read as the letter).",
    )
    question: QuestionKindName | None = Field(
        None,
        description="With options: what they are asked (default must be true): must be "
        "true, could be true, cannot be true, must be false, could be false, cannot be false "
        "(each optionally + ' except'), accurate list.",
    )
    translator: Translator = Field(
        "auto",
        description="auto: the offline controlled-English translator, and the LLM (when "
        "configured) for text outside its fragment; rules: offline only; llm: the LLM only.",
    )
    samples: int = Field(1, ge=1, le=16, description="LLM samples (self-consistency vote).")
    rounds: int = Field(3, ge=0, le=10, description="LLM refinement rounds per sample.")

    @field_validator("samples", "rounds", mode="before")
    @classmethod
    def _whole_number(cls, value: object) -> object:
        """JSON has one number type: ``2.0`` is the count 2 (``2.5`` and ``true`` are not)."""
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return value

    world: World = "open"
    prover: Backend = Field(
        "auto",
        validation_alias=AliasChoices("prover", "backend"),
        description="auto | z3 | backward (``backend`` is accepted too).",
    )
    timeout_s: float | None = Field(None, gt=0)

    @model_validator(mode="after")
    def _conclusion_or_options(self) -> TranslateRequest:
        if (self.conclusion is None) == (self.options is None):
            raise ValueError("send either 'conclusion' or 'options'")
        if self.question is not None and self.options is None:
            raise ValueError("'question' goes with 'options', not with 'conclusion'")
        return self

    def lettered(self) -> list[tuple[str, str]]:
        """The options with their letters (as sent, or A, B, … by position)."""
        out = []
        for index, text in enumerate(self.options or ()):
            match = _LETTERED.match(text)
            label = match.group(1) if match else chr(ord("A") + index)
            out.append((label, text[match.end() :].strip() if match else text.strip()))
        return out


_LETTERED = re.compile(r"^\s*\(?([A-Z])\)\s*")


class ReasonRequest(TranslateRequest):
    """The same fields: translate, refine, prove."""


class FallaciesRequest(_Request):
    """Texts to check; each answered with a label among the 13 classes or ``none``."""

    texts: list[str] = Field(
        ...,
        min_length=1,
        examples=[["If Bob is rich then Bob is happy. Bob is happy. Therefore, Bob is rich."]],
    )
    formal: bool = Field(True, description="Prove formalisable arguments first.")


class BatchRequest(_Request):
    problems: list[ReasonRequest] = Field(..., min_length=1)


class ErrorDetail(BaseModel):
    code: str = Field(..., examples=["syntax_error"])
    message: str = Field(..., examples=["premise 0: unexpected end of input; expected ')'"])
    span: dict[str, int] | None = None
    context: str | None = None
    model_config = ConfigDict(extra="allow")  # e.g. expected tokens, sentence_index


class ErrorResponse(BaseModel):
    """The one shape of every error answer."""

    error: ErrorDetail


def _error(description: str) -> dict[str, object]:
    return {"model": ErrorResponse, "description": description}


ERRORS: dict[int | str, dict[str, object]] = {
    400: _error("the body is not readable JSON"),
    401: _error("missing or wrong API key"),
    413: _error("request body too large"),
    422: _error("invalid input: syntax, semantics, limits, untranslatable text"),
    429: _error("too many requests in flight; see Retry-After"),
    504: _error("the request passed its deadline"),
}
LLM_ERRORS: dict[int | str, dict[str, object]] = {
    **ERRORS,
    502: _error("the LLM server failed"),
    503: _error("the LLM server is unreachable; see Retry-After"),
}
