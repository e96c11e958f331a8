"""The chat messages of a translation attempt and of a refinement round, and how a reply is read.

Templates live in ``prompts/*.md`` so they can be edited without touching code. A line
``<!-- system -->``, ``<!-- user -->`` or ``<!-- assistant -->`` starts a message (text before
the first marker is a note for editors). Placeholders are filled by :func:`fill`, one pass
over the template: user text is never interpreted, so braces in a premise stay braces and a
premise that itself contains ``{conclusion}`` is not expanded again (``str.format`` would
do both wrong).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any, Literal

from logicsvc.errors import source_lines
from logicsvc.llm import Message
from logicsvc.provers import Result
from logicsvc.provers.result import ChoiceResult
from logicsvc.resources import resource_dir
from logicsvc.syntax.ast import ChoiceProblem, Problem

PromptStyle = Literal["folio", "rulebase", "choice"]
STYLES: tuple[PromptStyle, ...] = ("folio", "rulebase", "choice")

_MARKER = re.compile(r"^<!--\s*(system|user|assistant)\s*-->[ \t]*\n?", re.M)
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
# A fence opens at the start of its line, never inside one: a gloss may hold ``` itself,
# and `~~~P` is a formula (triple negation), so `~~~` fences are not read at all.
_FENCE = re.compile(r"^[ \t]*```[^\n]*\n(?P<body>.*?)(?:^[ \t]*```|(?P<unclosed>\Z))", re.S | re.M)
_THINK = re.compile(r"\A\s*<think>.*?</think>", re.S)  # a reasoning model's leading draft
# A header line may end in a comment or a CR, as the grammar allows.
_HEADER = re.compile(
    r"^[ \t]*(?:(?:Sorts|Functions|Predicates|Premises|Conclusion|Options|Facts|Rules|Query"
    r"|Domain|Variables|Constraints)[ \t]*:[ \t]*(?:#[^\n]*)?"
    r"|\#[ \t]*Declarations[ \t]*)\r?$",  # Logic-LM's AR-LSAT programs open with it
    re.M,
)


def fill(template: str, values: Mapping[str, str]) -> str:
    """Replace each ``{name}`` with ``values[name]`` in one pass; unknown names stay as written."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)


@cache
def load_template(name: str) -> tuple[tuple[str, str], ...]:
    """``(role, text)`` pairs of ``prompts/<name>.md``; a file without markers is one user turn."""
    text = (resource_dir("prompts") / f"{name}.md").read_text(encoding="utf-8")
    markers = list(_MARKER.finditer(text))
    if not markers:
        return (("user", text),)
    ends = [m.start() for m in markers[1:]] + [len(text)]
    return tuple((m.group(1), text[m.end() : end]) for m, end in zip(markers, ends, strict=True))


@cache
def dsl_reference() -> str:
    return (resource_dir("prompts") / "dsl_reference.md").read_text(encoding="utf-8").strip()


def context_text(premises: Sequence[str]) -> str:
    """The premises as one paragraph, the way datasets store a context (so it stays findable)."""
    return " ".join(p.strip() for p in premises if p.strip())


def render(name: str, values: Mapping[str, str]) -> tuple[Message, ...]:
    """The messages of ``prompts/<name>.md`` with its placeholders filled."""
    return tuple(Message(role, fill(text, values).strip()) for role, text in load_template(name))


def first_messages(
    premises: Sequence[str], conclusion: str, style: PromptStyle = "folio"
) -> tuple[Message, ...]:
    """The first attempt: system instructions with the DSL reference, few-shot, the problem."""
    if style not in STYLES:
        raise ValueError(f"unknown prompt style {style!r}; choose one of {', '.join(STYLES)}")
    values = {
        "premises": context_text(premises),
        "conclusion": conclusion.strip(),
        "dsl_reference": dsl_reference(),
    }
    return render(style, values)


def refine_messages(
    first: Sequence[Message],
    previous: str,
    error: Mapping[str, Any],
    *,
    premises: Sequence[str],
    conclusion: str,
    program: str | None = None,
) -> tuple[Message, ...]:
    """A refinement round: the first prompt, the model's previous answer, the error.

    The problem is restated in the last user message (replay servers match on it).
    ``program`` is the text the error's line numbers refer to (a converted program), when it
    differs from ``previous``, the program as the model wrote it.
    """
    values = {
        "premises": context_text(premises),
        "conclusion": conclusion.strip(),
        "error": render_error(error),
        "program": (program or previous).rstrip("\n"),
    }
    return (*first, Message("assistant", previous.strip()), *render("refine", values))


def render_error(error: Mapping[str, Any]) -> str:
    """An attempt's error as the model should read it: where, what, the caret line, expected."""
    span = error.get("span")
    where = ""
    if isinstance(span, Mapping):
        where = f"line {span.get('line')}, column {span.get('column')}: "
    lines = [f"{where}{error.get('message', '')}"]
    if error.get("context"):
        lines.append(str(error["context"]))
    expected = error.get("expected")
    if expected and "expected" not in str(error.get("message", "")):
        lines.append("expected one of: " + ", ".join(str(e) for e in expected))
    lines.append(f"(error code: {error.get('code', 'error')})")
    return "\n".join(lines)


def truncated_error(max_tokens: int) -> dict[str, Any]:
    return {
        "code": "truncated",
        "message": f"the answer was cut off at the {max_tokens}-token limit before the program "
        "ended; write the whole program again, more compactly (shorter glosses, no explanation)",
    }


def status_error(
    result: Result | ChoiceResult, dsl: str, problem: Problem | ChoiceProblem
) -> dict[str, Any] | None:
    """A non-ok prover status as an error the model can act on."""
    if result.status == "ok":
        return None
    if isinstance(result, ChoiceResult) and result.status in ("no_option", "several_options"):
        return _choice_error(result)
    if result.status == "contradictory_premises":
        lines = source_lines(dsl)
        shown = []
        for index in result.used_premises:
            span = problem.premises[index].span if index < len(problem.premises) else None
            if span is not None and span.line <= len(lines):
                shown.append(f"  line {span.line}: {lines[span.line - 1].strip()}")
        return {
            "code": "contradictory_premises",
            "message": "the premises contradict each other, so every conclusion would follow; "
            "a premise is probably mistranslated (a negation, a quantifier, an exclusive or, "
            "or one predicate used for two ideas)" + (":\n" + "\n".join(shown) if shown else ""),
        }
    if result.status == "timeout":
        return {
            "code": "timeout",
            "message": "the prover ran out of time on this program; translate more literally "
            "(fewer nested quantifiers, no redundant premises)",
        }
    detail = result.error or {}
    return {
        "code": str(detail.get("code", "prover_error")),
        "message": str(detail.get("message", "the prover failed on this program")),
    }


def _choice_error(result: ChoiceResult) -> dict[str, Any]:
    """No option, or several, passed the question's test: say what each option is."""
    facts = []
    for option in result.options:
        known = []
        if option.entailed is not None:
            known.append("entailed" if option.entailed else "not entailed")
        if option.possible is not None:
            known.append("possible" if option.possible else "impossible")
        facts.append(f"  {option.label}) {', '.join(known)}")
    which = (
        "no option passes"
        if result.status == "no_option"
        else f"options {', '.join(result.selected)} all pass"
    )
    return {
        "code": result.status,
        "message": f"{which} the test of a '{result.kind}' question, so the question has no "
        "single answer; a premise or an option is probably mistranslated (or the question "
        "kind is wrong). Under your premises:\n" + "\n".join(facts),
    }


def extract_program(text: str) -> str:
    """The program in a reply (see :func:`read_program`)."""
    return read_program(text)[0]


def read_program(text: str) -> tuple[str, bool]:
    """``(program, fenced)``: the program in a reply, and whether it sat in a closed fence.

    A leading ``<think>`` block is the model's draft and goes.  Of several fenced blocks the last
    one holding a section header is the answer (models show the old program before the
    corrected one); when no block has a header but the reply does, the program is unfenced
    and the blocks are asides.  Chatter before the header goes; chatter after an unfenced
    program is left for the parser to point at, since cutting it would mean guessing where
    a program ends.  A closed fence does say where it ends: such a program is complete even
    when the reply was cut off later.  A reply that is a program already (grammar-constrained
    output) comes back whole, whatever its glosses hold.
    """
    text = _THINK.sub("", text.lstrip("\ufeff"))
    blocks = list(_FENCE.finditer(text))
    answers = [m for m in blocks if _HEADER.search(m.group("body"))]
    chosen = answers[-1] if answers else None
    if chosen is None and blocks and not _HEADER.search(text):
        chosen = blocks[0]  # formulas without headers: still the fenced part
    if chosen is not None:
        text = chosen.group("body")
    header = _HEADER.search(text)
    if header is not None:
        text = text[header.start() :]
    fenced = chosen is not None and chosen.group("unclosed") is None
    return text.strip("\n").rstrip() + "\n", fenced
