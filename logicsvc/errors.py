"""Every failure logicsvc raises, in one tree.

Each exception carries a stable ``code`` (used verbatim in CLI output and HTTP
error bodies), a human ``message`` and, where the failure points at input text,
a :class:`Span`.  ``str(exc)`` is written for a reader who must fix the input
(a person or an LLM): it names the line, shows it with a caret and lists what
was expected.

The tree::

    LogicsvcError                    base; code, message, span
    ├── InputError                   the input is wrong (never a server fault)
    │   ├── DSLSyntaxError           the program does not parse      code=syntax_error
    │   ├── SemanticError            parses, but is not a valid problem
    │   │                            (codes: arity_mismatch, free_variable,
    │   │                             name_clash, empty_conclusion,
    │   │                             multiple_conclusions, undeclared_predicate)
    │   ├── FragmentError            valid, but outside a prover's fragment
    │   │                            code=outside_fragment
    │   └── UntranslatableError      a sentence outside a translator's language
    │                                code=untranslatable
    ├── ConfigurationError           a setting (environment, .env) is invalid
    │                                code=invalid_settings
    ├── ProverError                  a prover failed for a reason of its own
    │                                code=prover_error
    └── LLMError                     the language model could not be used
        │                            code=llm_error
        └── LLMUnavailableError      the model server is down or unreachable
                                     code=llm_unavailable

Timeouts are not exceptions: a prover that runs out of time returns a result
with ``status="timeout"``, because the problem itself may be fine.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Span:
    """A region of input text: 1-based line and column, end exclusive."""

    line: int
    column: int
    end_line: int
    end_column: int

    def to_dict(self) -> dict[str, int]:
        return {
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
        }


def source_lines(text: str) -> list[str]:
    """``text``'s lines as spans count them: split at ``\n`` only.

    ``str.splitlines`` also splits at U+2028, U+0085, \x1c … which may sit inside a gloss;
    the parser does not count those, so line N would be the wrong line.
    """
    return [line.removesuffix("\r") for line in text.split("\n")]


def caret_context(text: str, span: Span) -> str:
    """The offending line followed by a caret line under the span."""
    lines = source_lines(text) or [""]
    index = min(max(span.line, 1), len(lines)) - 1
    source = lines[index]
    width = 1
    if span.end_line == span.line and span.end_column > span.column:
        width = span.end_column - span.column
    pad = "".join("\t" if ch == "\t" else " " for ch in source[: span.column - 1])
    return f"{source}\n{pad}{'^' * width}"


class LogicsvcError(Exception):
    """Base of every error logicsvc raises on purpose."""

    code: str = "error"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        span: Span | None = None,
        context: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.span = span
        self.context = context

    def __str__(self) -> str:
        where = f"line {self.span.line}, column {self.span.column}: " if self.span else ""
        text = f"{where}{self.message}"
        if self.context:
            text += "\n" + self.context
        return text

    def to_dict(self) -> dict[str, object]:
        """The stable JSON shape used by the CLI and the HTTP layer."""
        out: dict[str, object] = {"code": self.code, "message": self.message}
        if self.span is not None:
            out["span"] = self.span.to_dict()
        if self.context:
            out["context"] = self.context
        return out


class InputError(LogicsvcError):
    """The caller's input is at fault."""

    code = "invalid_input"


class DSLSyntaxError(InputError):
    """The program text does not match the grammar."""

    code = "syntax_error"

    def __init__(
        self,
        message: str,
        *,
        span: Span,
        context: str,
        expected: tuple[str, ...] = (),
    ) -> None:
        super().__init__(message, span=span, context=context)
        self.expected = expected

    def to_dict(self) -> dict[str, object]:
        out = super().to_dict()
        out["expected"] = list(self.expected)
        return out


class SemanticError(InputError):
    """The program parses but does not describe a well-formed problem."""

    code = "semantic_error"


class FragmentError(InputError):
    """The problem is valid but a chosen prover cannot handle its form."""

    code = "outside_fragment"


class UntranslatableError(InputError):
    """A translator met a sentence it will not guess at.

    ``sentence_index`` and ``sentence`` name it, so a caller can hand just
    this problem to another translator (an LLM).
    """

    code = "untranslatable"

    def __init__(
        self,
        message: str,
        *,
        sentence_index: int,
        sentence: str,
        span: Span | None = None,
        context: str | None = None,
    ) -> None:
        super().__init__(message, span=span, context=context)
        self.sentence_index = sentence_index
        self.sentence = sentence

    def to_dict(self) -> dict[str, object]:
        out = super().to_dict()
        out["sentence_index"] = self.sentence_index
        out["sentence"] = self.sentence
        return out


class ConfigurationError(LogicsvcError):
    """An environment variable or ``.env`` entry logicsvc cannot use; names the variable."""

    code = "invalid_settings"


class ProverError(LogicsvcError):
    """A prover failed for reasons that are not the input's fault."""

    code = "prover_error"


class LLMError(LogicsvcError):
    """The language model failed: bad response, refused request, misconfiguration."""

    code = "llm_error"


class LLMUnavailableError(LLMError):
    """The model server cannot be reached (connection refused, timeouts past retries)."""

    code = "llm_unavailable"


class LLMBusyError(LLMUnavailableError):
    """The model server refused for now (HTTP 429: rate limited or queue full): the same
    request may succeed later, so it is answered like an unreachable server (503 with
    ``Retry-After``; a run stops and resumes) rather than as a failed request."""

    code = "llm_busy"
