"""Lenient mode: repair what is unambiguous, and say so.

Each repair fixes a pattern that strict syntax rejects, so a program that
already parses is never changed by the text repairs.  Every change is reported
as a warning; nothing is repaired silently.  Repairs whose intent is not clear
(an unmatched ``)`` in the middle of a line, a wrong arity) are left to fail.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from logicsvc.syntax.ast import Binary, Formula, Not, Quantified
from logicsvc.syntax.free_names import read_free_variables
from logicsvc.syntax.walk import bind, constants

_SYMBOLS: tuple[tuple[str, str, str], ...] = (
    ("<=>", "↔", "'<=>'"),
    ("⟷", "↔", "'⟷'"),
    ("⇔", "↔", "'⇔'"),
    ("=>", "→", "'=>'"),
    ("⇒", "→", "'⇒'"),
    ("&&", "∧", "'&&'"),
    ("^", "∧", "'^'"),
    ("||", "∨", "'||'"),
)
_KEYWORD_CALL = re.compile(r"(?<![\w-])(not|all|forall|exists|xor)\(")
_ARGS = re.compile(r"(?<=[\w-]\()([^()]*)(?=\))")
_VALID_NAME = re.compile(r"\w+(-\w+)*")
_SALVAGEABLE_NAME = re.compile(r"\w[\w.+ -]*")
# `Eel (x)`: a capitalised predicate name cut off from its '(' by spaces; a
# quantified variable (`∀x (`) is lower-case and follows ∀/∃, so is left alone.
_SPACED_CALL = re.compile(r"(?<![\w-])([A-Z][\w-]*)[ \t]+\(")
_QUANTIFIER_WORD = re.compile(r"\b(?:forall|all|exists)")
_NAME_SPACE_OR_COMMA = re.compile(r"[\s\w,]")


def _after_quantifier(text: str) -> list[bool]:
    """``marks[i]``: ``text[:i]`` ends in a quantifier and then only names, spaces and
    commas (``∀x, y`` so far), i.e. ``(?:[∀∃]|\\b(?:forall|all|exists))[\\s\\w,]*$``.

    One pass: searching that pattern in every prefix backtracks quadratically, and a
    long line of ``all`` and commas held the event loop for seconds.
    """
    word_ends = {m.end() for m in _QUANTIFIER_WORD.finditer(text)}
    marks = [False] * (len(text) + 1)
    inside = False
    for i, ch in enumerate(text, start=1):
        if ch in "∀∃" or i in word_ends:
            inside = True
        elif not _NAME_SPACE_OR_COMMA.match(ch):
            inside = False
        marks[i] = inside
    return marks


def _replace_symbols(text: str) -> tuple[str, list[str]]:
    notes = []
    for old, new, shown in _SYMBOLS:
        if old in text:
            text = text.replace(old, new)
            notes.append(f"replaced {shown} with '{new}'")
    return text, notes


def _space_keyword_calls(text: str) -> tuple[str, list[str]]:
    new = _KEYWORD_CALL.sub(r"\1 (", text)
    return new, (["put a space between a keyword and '('"] if new != text else [])


def _rename_args(text: str) -> tuple[str, list[str]]:
    """``c++`` → ``c_plus_plus``, ``mr.smith`` → ``mr_smith`` inside argument lists."""
    notes: list[str] = []

    def fix_args(match: re.Match[str]) -> str:
        parts = match.group(1).split(",")
        out = []
        for part in parts:
            name = part.strip()
            if name and not _VALID_NAME.fullmatch(name) and _SALVAGEABLE_NAME.fullmatch(name):
                fixed = name.replace("+", "_plus").replace(".", "_").strip("-")
                fixed = re.sub(r"\s+", "_", fixed)
                if _VALID_NAME.fullmatch(fixed):
                    notes.append(f"renamed constant '{name}' to '{fixed}'")
                    part = part.replace(name, fixed)
            out.append(part)
        return ",".join(out)

    return _ARGS.sub(fix_args, text), notes


def _join_spaced_calls(text: str) -> tuple[str, list[str]]:
    quantified = _after_quantifier(text)

    def fix(match: re.Match[str]) -> str:
        if quantified[match.start()]:
            return match.group(0)
        return match.group(1) + "("

    new = _SPACED_CALL.sub(fix, text)
    return new, (["removed spaces between a predicate name and its '('"] if new != text else [])


_LOOSER = re.compile(r"(?P<imp><->|->|[→↔])|(?P<or>[∨⊕|]|\bxor\b)")


def _commas_as_conjunction(text: str) -> tuple[str, list[str]]:
    """``P(x), Q(x) → R(x)``: a comma between formulas can only mean ∧.

    Only where ∧'s precedence cannot regroup anything: no →, ↔, ∨ or ⊕ before the comma
    at its level, and no ∨ or ⊕ after it before the next → or ↔.  ``Rain → Wet, Cold →
    Ice`` would read as ``Rain → ((Wet ∧ Cold) → Ice)`` and ``A ∨ B, C`` as ``A ∨ (B ∧
    C)``; those are left to fail, for the writer to say which was meant.
    """
    kinds = {m.start(): m.lastgroup for m in _LOOSER.finditer(text)}
    commas = _formula_commas(text)
    # right of each comma, up to the next → / ↔ / comma / ')' at its level: any ∨ or ⊕?
    or_after: dict[int, bool] = {}
    levels: list[bool] = [False]
    for i in range(len(text) - 1, -1, -1):
        ch = text[i]
        if ch == ")":
            levels.append(False)
        elif ch == "(" and len(levels) > 1:
            levels.pop()
        elif i in commas:
            or_after[i], levels[-1] = levels[-1], False
        elif kinds.get(i) == "imp":
            levels[-1] = False
        elif kinds.get(i) == "or":
            levels[-1] = True
    out: list[str] = []
    loose_before: list[bool] = [False]
    changed = False
    for i, ch in enumerate(text):
        if ch == "(":
            loose_before.append(False)
        elif ch == ")" and len(loose_before) > 1:
            loose_before.pop()
        elif i in kinds:
            loose_before[-1] = True
        elif i in commas and not (loose_before[-1] or or_after[i]):  # else the parser says
            out.append(" ∧")
            changed = True
            continue
        out.append(ch)
    return "".join(out), (["read ',' between formulas as '∧'"] if changed else [])


def _formula_commas(text: str) -> set[int]:
    """Positions of commas between formulas: not in an argument list, not after ``∀x``."""
    commas: set[int] = set()
    arg_depth: list[bool] = []  # per open '(': is it an argument list?
    quantified = _after_quantifier(text)
    for i, ch in enumerate(text):
        if ch == "(":
            arg_depth.append(i > 0 and (text[i - 1].isalnum() or text[i - 1] in "_-"))
        elif ch == ")" and arg_depth:
            arg_depth.pop()
        elif ch == "," and not (arg_depth and arg_depth[-1]) and not quantified[i]:
            commas.add(i)
    return commas


def _strip_final_period(text: str) -> tuple[str, list[str]]:
    stripped = text.rstrip()
    if stripped.endswith("."):
        return stripped[:-1].rstrip(), ["removed a final '.'"]
    return text, []


def _balance_parentheses(text: str) -> tuple[str, list[str]]:
    depth = 0
    unmatched_close: list[int] = []
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            if depth == 0:
                unmatched_close.append(i)
            else:
                depth -= 1
    if unmatched_close and depth == 0:
        body = text.rstrip()
        tail_start = len(body) - (len(body) - len(body.rstrip(")")))
        if all(i >= tail_start for i in unmatched_close):
            n = len(unmatched_close)
            return body[: len(body) - n], [f"removed {n} unmatched trailing ')'"]
        return text, []
    if depth > 0 and not unmatched_close:
        return text.rstrip() + ")" * depth, [f"added {depth} missing ')' at the end"]
    return text, []


_TEXT_REPAIRS: tuple[Callable[[str], tuple[str, list[str]]], ...] = (
    _replace_symbols,
    _space_keyword_calls,
    _join_spaced_calls,
    _rename_args,
    _commas_as_conjunction,
    _strip_final_period,
    _balance_parentheses,
)


def repair_formula_text(text: str, context: str | None = None) -> tuple[str, list[str]]:
    """Apply every text repair to one formula (no gloss); return it and the notes.

    ``context`` is the whole program (or every formula of a request): a predicate the
    repairs introduce is named so that it occurs nowhere in it.
    """
    notes: list[str] = []
    for repair in _TEXT_REPAIRS:
        text, more = repair(text)
        notes.extend(more)
    text, more = _membership(text, context if context is not None else text)
    notes.extend(more)
    return text, notes


_MEMBER_NAME = r"\w+(?:-\w+)*(?![\w(-])"
_MEMBERSHIP = re.compile(
    rf"(?<![\w-])(?P<element>{_MEMBER_NAME})\s*(?P<op>[∈∉])\s*(?P<set>{_MEMBER_NAME})"
)
_ELEMENT_OF = "ElementOf"


def fresh_name(base: str, context: str) -> str:
    """``base``, or ``base_2``, ``base_3``…: the first that is no word of ``context``."""
    taken = set(re.findall(r"\w+(?:-\w+)*", context))
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}_{n}"
    return name


def _membership(text: str, context: str) -> tuple[str, list[str]]:
    """``y ∈ x`` is the binary relation "y is an element of x": ``ElementOf(y, x)``.

    Only between two names (``P(a) ∈ Q`` puts a formula where a term goes) and never
    right after a quantifier (``∀x ∈ S (…)``, a bounded quantifier, is not repaired).
    The predicate is named so that it occurs nowhere else in ``context``; ``∉`` is its
    negation.
    """
    if "∈" not in text and "∉" not in text:
        return text, []
    quantified = _after_quantifier(text)
    name = fresh_name(_ELEMENT_OF, context)
    shown: list[str] = []

    def fix(match: re.Match[str]) -> str:
        if quantified[match.start()]:
            return match.group(0)
        shown.append(match.group(0))
        negation = "¬" if match.group("op") == "∉" else ""
        return f"{negation}{name}({match.group('element')}, {match.group('set')})"

    new = _MEMBERSHIP.sub(fix, text)
    if not shown:
        return text, []
    listed = ", ".join(f"'{m}'" for m in dict.fromkeys(shown))
    return new, [
        f"read set membership {listed} as the relation {name}(element, set) "
        f"(a predicate name used nowhere else in the program)"
    ]


def split_gloss(line: str) -> tuple[str, str]:
    """``formula ::: gloss`` or ``formula # comment`` → (formula, the rest or "").

    Whichever starts first runs to the end of the line (a gloss may hold ``#``, a comment
    ``:::``); the rest is neither parsed nor repaired.
    """
    starts = [at for at in (line.find(":::"), line.find("#")) if at >= 0]
    at = min(starts, default=-1)
    return (line, "") if at < 0 else (line[:at], line[at:])


# --- AST repair ---------------------------------------------------------------


def widen_quantifiers(formula: Formula) -> tuple[Formula, list[str]]:
    """Extend a quantifier's scope over a connective when that captures a free name.

    ``∀x P(x) → Q(x)`` parses as ``(∀x P(x)) → Q(x)``, leaving the second ``x``
    free: FOLIO's annotators wrote it meaning ``∀x (P(x) → Q(x))``.  The repair
    only fires when the right operand uses a name the left quantifier binds and
    nothing else binds it, so it never changes a formula without free names; and it
    moves only the quantifiers down to the innermost one that captures such a name.
    """
    notes: list[str] = []

    def walk(f: Formula) -> Formula:
        if isinstance(f, Not):
            return Not(walk(f.operand), f.span)
        if isinstance(f, Quantified):
            return Quantified(f.quantifier, f.var, walk(f.body), f.span)
        if not isinstance(f, Binary):
            return f
        left, right = walk(f.left), walk(f.right)
        chain: list[Quantified] = []
        body: Formula = left
        while isinstance(body, Quantified):
            chain.append(body)
            body = body.body
        captured = {q.var for q in chain} & constants(right)
        if not captured:
            return Binary(f.op, left, right, f.span)
        # widen down to the innermost quantifier that captures a name, no further:
        # `∀x ∃y (Owns(x, y)) → Rich(x)` is `∀x (∃y (…) → Rich(x))`, not `∀x ∃y (… → …)`
        last = max(i for i, q in enumerate(chain) if q.var in captured)
        chain = chain[: last + 1]
        for name in sorted(captured):
            right = bind(right, frozenset((name,)))
        widened: Formula = Binary(f.op, chain[-1].body, right, f.span)
        for q in reversed(chain):
            widened = Quantified(q.quantifier, q.var, widened, q.span)
        shown = " ".join(q.quantifier.value + q.var for q in chain)
        notes.append(
            f"widened the scope of '{shown}' over '{f.op.value}' "
            f"(otherwise {', '.join(sorted(captured))} would be free)"
        )
        return widened

    return walk(formula), notes


def close_free_variables(formula: Formula, *, premise: bool = True) -> tuple[Formula, list[str]]:
    """Quantify the variables a premise (or conclusion) leaves free, where one reading is
    clear: see :mod:`logicsvc.syntax.free_names` for the shapes and why."""
    return read_free_variables(formula, premise=premise)
