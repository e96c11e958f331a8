"""Logic-LM's AR-LSAT programs (z3py-like) → a checked multiple-choice problem.

The format, as Logic-LM's prompt shows it and its translator
(``models/symbolic_solvers/z3_solver``) runs it::

    # Declarations
    children = EnumSort([Fred, Juan, Nita])
    lockers = EnumSort([1, 2, 3, 4, 5])
    assigned = Function([children] -> [lockers])
    # Constraints
    ForAll([c:children], Count([d:children], assigned(d) == assigned(c)) <= 2) ::: gloss
    # Options
    Question ::: Which one of the following could be true?
    is_sat(assigned(Fred) == 3) ::: (A)

What each part means, following Logic-LM's translator:

- ``EnumSort([...])`` declares a sort of named values; one whose members are all
  numerals is a set of integers.  An EnumSort whose members all belong to one
  earlier sort is a *subset list* of it (Logic-LM declares no new sort for it):
  a quantifier, count or ``Distinct`` over it ranges over those members.
  ``IntSort([...])`` is a set of integers.
- ``Function([a, b] -> [c])``: result ``bool`` is a predicate, ``int`` the
  built-in ``Int``, a sort a function into it (values kept in the sort).
- ``Count([x:s], φ)`` counts; over an integer-valued term it sums it, exactly
  as Logic-LM's ``Sum([... for x in s])``.  ``Distinct([x:s], t)`` is
  ``distinct`` of ``t`` at each member; ``==``/``!=`` between formulas are ↔/⊕.
- A declaration-section line that is not a declaration is a constraint.
  (Logic-LM's reader collects these lines and then never adds them; the
  models write them as constraints, ranges of integer functions mostly.)
- ``# Options``: a ``Question ::: …`` line, then one test per option, labelled
  A, B, … in order: ``is_valid`` (must be true), ``is_sat`` (could be true),
  ``is_unsat`` (cannot be true), ``is_exception(is_X(…))`` (the EXCEPT kind of
  X) and ``is_accurate_list([…])``.  All options must use one test.

z3py names that Logic-LM's executor also accepts and that have one reading
here are read too: ``Xor``, ``If`` between formulas, ``Sum`` of terms,
``Abs`` and ``%`` by a number (see :class:`.arlsat_meaning.Interpreter`).
Anything else (``is_equivalent``, tuples, indexing, ``x in [...]``…) is the
model's error, reported with its code and span, never guessed.
"""

from __future__ import annotations

import lark

from logicsvc.checks import CheckedChoice, CheckedProblem, check_task
from logicsvc.errors import InputError, LogicsvcError, Span, caret_context
from logicsvc.syntax.ast import (
    Formula,
    Option,
    PredicateDecl,
    Program,
    Question,
    QuestionKind,
    Signature,
    Statement,
)
from logicsvc.translate.formats import arlsat_lines
from logicsvc.translate.formats.arlsat_meaning import Interpreter
from logicsvc.translate.formats.arlsat_vocabulary import Vocabulary

_K = QuestionKind
_TESTS = {
    "is_valid": _K.MUST_BE_TRUE,
    "is_sat": _K.COULD_BE_TRUE,
    "is_unsat": _K.CANNOT_BE_TRUE,
    "is_accurate_list": _K.ACCURATE_LIST,
}
_EXCEPTIONS = {
    _K.MUST_BE_TRUE: _K.MUST_BE_TRUE_EXCEPT,
    _K.COULD_BE_TRUE: _K.COULD_BE_TRUE_EXCEPT,
    _K.CANNOT_BE_TRUE: _K.CANNOT_BE_TRUE_EXCEPT,
}
LABELS = "ABCDEFGHIJ"


def load(program: str) -> CheckedChoice:
    """Parse, interpret and check; every error is typed and points at the model's line."""
    lines = arlsat_lines.read(program)
    vocabulary = Vocabulary(program)
    premises: list[Statement] = []
    option_lines: list[arlsat_lines.Line] = []
    question_line: arlsat_lines.Line | None = None
    interpreter = Interpreter(vocabulary)
    for line in lines:
        span = arlsat_lines.line_span(program, line.number)
        if line.section == "Options":
            if line.tree.data == "name" and str(line.tree.children[0]) == "Question":
                question_line = question_line or line
            else:
                option_lines.append(line)
            continue
        if line.tree.data == "assign":
            if line.section != "Declarations":
                raise _error(program, "declarations go under '# Declarations'", span)
            vocabulary.declare(line)
            continue
        formula = interpreter.formula(line.tree, line.number)
        premises.append(Statement(formula, line.gloss, span))
    if not option_lines:
        raise _error(program, "'# Options' lists no option", None, code="no_options")
    kinds, options = [], []
    for index, line in enumerate(option_lines):
        if index >= len(LABELS):
            span = arlsat_lines.line_span(program, line.number)
            raise _error(program, f"more than {len(LABELS)} options", span, code="option_count")
        kind, formulas = _option(interpreter, program, line)
        kinds.append((kind, line))
        span = arlsat_lines.line_span(program, line.number)
        options.append(Option(LABELS[index], formulas, line.gloss, span))
    first_kind, first_line = kinds[0]
    for kind, line in kinds[1:]:
        if kind is not first_kind:
            message = (
                f"options use different tests ({first_kind.value} on line {first_line.number}, "
                f"{kind.value} here); one question asks one thing of every option"
            )
            span = arlsat_lines.line_span(program, line.number)
            raise _error(program, message, span, code="mixed_option_tests")
    question_span = arlsat_lines.line_span(program, (question_line or option_lines[0]).number)
    parsed = Program(
        predicates=tuple(
            PredicateDecl(name, params) for name, params in vocabulary.predicates.items()
        ),
        premises=tuple(premises),
        conclusions=(),
        signature=Signature(vocabulary.sort_decls(), vocabulary.function_decls()),
        question=Question(first_kind, tuple(options), question_span),
    )
    checked = check_task(parsed, program)
    if isinstance(checked, CheckedProblem):  # pragma: no cover - a question is always built
        raise InputError("the program has no options", code="no_options")
    return checked


def _option(
    interpreter: Interpreter, program: str, line: arlsat_lines.Line
) -> tuple[QuestionKind, tuple[Formula, ...]]:
    tree, span = line.tree, arlsat_lines.line_span(program, line.number)
    name, args = _call(tree)
    if name == "is_exception":
        if len(args) != 1:
            raise _error(program, "is_exception takes one test: is_exception(is_sat(…))", span)
        inner_kind, formulas = _test(interpreter, program, line, args[0], span)
        if inner_kind not in _EXCEPTIONS:
            message = f"is_exception of {inner_kind.value} has no meaning here"
            raise _error(program, message, span, code="unknown_option_test")
        return _EXCEPTIONS[inner_kind], formulas
    return _test(interpreter, program, line, tree, span)


def _test(
    interpreter: Interpreter, program: str, line: arlsat_lines.Line, tree: object, span: Span
) -> tuple[QuestionKind, tuple[Formula, ...]]:
    name, args = _call(tree)
    if name not in _TESTS:
        known = ", ".join([*_TESTS, "is_exception"])
        what = f"'{name}'" if name else "this line"
        message = f"{what} is not an option test of Logic-LM's format ({known})"
        raise _error(program, message, span, code="unknown_option_test")
    kind = _TESTS[name]
    if len(args) != 1:
        raise _error(program, f"{name} takes one argument", span)
    if kind is _K.ACCURATE_LIST:
        items = interpreter.items(args[0])
        if items is None:
            raise _error(program, "is_accurate_list takes a list: is_accurate_list([φ1, φ2])", span)
        return kind, tuple(interpreter.formula(item, line.number) for item in items)
    return kind, (interpreter.formula(args[0], line.number),)


def _call(tree: object) -> tuple[str, list[object]]:
    """``(name, arguments)`` of a call node, ``("", [])`` for anything else."""
    if isinstance(tree, lark.Tree) and tree.data == "call":
        name, args = tree.children
        return str(name), list(args.children) if isinstance(args, lark.Tree) else []
    return "", []


def _error(
    program: str, message: str, span: Span | None, *, code: str = "syntax_error"
) -> LogicsvcError:
    context = caret_context(program, span) if span else None
    return InputError(message, code=code, span=span, context=context)
