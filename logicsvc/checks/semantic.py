"""Semantic checks: a parsed program becomes a :class:`Problem`, or a typed error.

The grammar cannot see these mistakes: one predicate used with two arities, a
name that looks like a variable but is bound by no quantifier, a name used both
as a predicate and as a constant, a missing conclusion.  Each error carries
the span of the offending statement so an LLM can be pointed at it.
"""

from __future__ import annotations

from dataclasses import dataclass

from logicsvc.errors import SemanticError, Span, caret_context, source_lines
from logicsvc.syntax.ast import (
    Atom,
    ChoiceProblem,
    Compare,
    Const,
    Distinct,
    Equals,
    Formula,
    Option,
    PredicateDecl,
    Problem,
    Program,
    Quantified,
    Question,
    QuestionKind,
    Statement,
    looks_like_variable,
)
from logicsvc.syntax.inferred import Inferred
from logicsvc.syntax.sorts import infer
from logicsvc.syntax.walk import direct_terms, subformulas, subterms


@dataclass(frozen=True, slots=True)
class CheckedProblem:
    problem: Problem
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CheckedChoice:
    problem: ChoiceProblem
    warnings: tuple[str, ...] = ()


def check_program(program: Program, text: str | None = None) -> CheckedProblem:
    """Validate a program that ends with a conclusion; ``text`` lets errors show the line."""
    checked = check_task(program, text)
    if isinstance(checked, CheckedChoice):
        raise _error(
            "unexpected_question",
            "this program asks a multiple-choice question (Question:/Options:); "
            "here a Conclusion: is expected",
            checked.problem.question.span,
            text,
        )
    return checked


def check_task(program: Program, text: str | None = None) -> CheckedProblem | CheckedChoice:
    """Validate ``program``, a yes/no problem or a multiple-choice question."""
    warnings: list[str] = []
    question = program.question
    if question is None:
        _check_conclusion_count(program, text)
    else:
        _check_options(question, text)
    options = question.options if question else ()
    statements = (
        *program.premises,
        *program.conclusions,
        *(Statement(f, span=o.span) for o in options for f in o.formulas),
    )
    # a declared value or constant (`x : Pos`, `{x, y}`) is a name, whatever it looks like
    declared = {v for d in program.signature.sorts for v in d.values} | {
        f.name for f in program.signature.functions if not f.params
    }
    facts = [_Facts.of(s.formula) for s in statements]  # one walk each, for three checks
    for statement, found in zip(statements, facts, strict=True):
        _check_free_names(statement, found, text, declared)
    _check_arities(program.predicates, statements, facts, text, warnings)
    _check_name_clash(statements, facts, text)
    try:
        inferred = infer(
            tuple(s.formula for s in statements), program.signature, program.predicates
        )
    except SemanticError as exc:
        if exc.span is not None and text:
            exc.context = caret_context(text, exc.span)
        raise
    formulas = inferred.formulas
    premises = _restate(program.premises, formulas)
    if question is None:
        (conclusion,) = _restate(program.conclusions, formulas[len(premises) :])
        # the problem's formulas are ``formulas``, one conclusion after the premises
        known = Inferred(formulas, program.signature, program.predicates, inferred.typing)
        problem = Problem(premises, conclusion, program.predicates, program.signature, known)
        return CheckedProblem(problem, tuple(warnings))
    rest = iter(formulas[len(premises) :])
    elaborated = tuple(
        Option(o.label, tuple(next(rest) for _ in o.formulas), o.gloss, o.span) for o in options
    )
    choice = ChoiceProblem(
        premises,
        Question(question.kind, elaborated, question.span),
        program.predicates,
        program.signature,
    )
    return CheckedChoice(choice, tuple(warnings))


def _restate(
    statements: tuple[Statement, ...], formulas: tuple[Formula, ...]
) -> tuple[Statement, ...]:
    return tuple(
        s if s.formula is f else Statement(f, s.gloss, s.span)
        for s, f in zip(statements, formulas, strict=False)
    )


def _check_options(question: Question, text: str | None) -> None:
    if not question.options:
        raise _error("no_options", "the Options: section lists no option", question.span, text)
    seen: set[str] = set()
    for option in question.options:
        if option.label in seen:
            raise _error(
                "duplicate_option", f"option {option.label} is listed twice", option.span, text
            )
        seen.add(option.label)
        if len(option.formulas) > 1 and question.kind is not QuestionKind.ACCURATE_LIST:
            raise _error(
                "option_list",
                f"option {option.label} lists {len(option.formulas)} formulas; only an "
                "'accurate list' question takes lists (join them with ∧ otherwise)",
                option.span,
                text,
            )


def check_formulas(premises: list[Formula], conclusion: Formula) -> CheckedProblem:
    """The same checks for formulas given one by one (API requests)."""
    program = Program((), tuple(Statement(f) for f in premises), (Statement(conclusion),))
    return check_program(program)


def _error(code: str, message: str, span: Span | None, text: str | None) -> SemanticError:
    context = caret_context(text, span) if (span is not None and text) else None
    return SemanticError(message, code=code, span=span, context=context)


def _header_span(text: str | None, header: str) -> Span | None:
    for number, line in enumerate(source_lines(text or ""), start=1):
        if line.strip() == header:
            column = line.index(header) + 1
            return Span(number, column, number, column + len(header))
    return None


def _check_conclusion_count(program: Program, text: str | None) -> None:
    if not program.conclusions:
        raise _error(
            "empty_conclusion",
            "the Conclusion: section has no formula; write exactly one",
            _header_span(text, "Conclusion:"),
            text,
        )
    if len(program.conclusions) > 1:
        extra = program.conclusions[1]
        raise _error(
            "multiple_conclusions",
            f"the Conclusion: section has {len(program.conclusions)} formulas; "
            "write exactly one (split the problem, or join them with ∧)",
            extra.span,
            text,
        )


@dataclass(frozen=True, slots=True)
class _Facts:
    """What the name checks ask of a formula, gathered in one walk over it."""

    bound: frozenset[str]
    """Variables some quantifier in the formula binds."""
    constants: frozenset[str]
    atoms: tuple[Atom, ...]
    """In the order :func:`~logicsvc.syntax.ast.atoms` yields them."""

    @classmethod
    def of(cls, formula: Formula) -> _Facts:
        bound: set[str] = set()
        names: set[str] = set()
        found: list[Atom] = []
        for node in subformulas(formula):
            if isinstance(node, Quantified):
                bound.add(node.var)
                continue
            if isinstance(node, Atom):
                found.append(node)
            if isinstance(node, Atom | Distinct | Equals | Compare):
                roots = direct_terms(node)
                names.update(t.name for t in subterms(roots) if isinstance(t, Const))
        return cls(frozenset(bound), frozenset(names), tuple(found))


def _check_free_names(
    statement: Statement,
    facts: _Facts,
    text: str | None,
    declared: frozenset[str] | set[str] = frozenset(),
) -> None:
    for name in sorted(facts.constants - declared):
        # unbound, a variable-like name is a forgotten quantifier, not a constant "x"
        if name in facts.bound or looks_like_variable(name):
            raise _error(
                "free_variable",
                f"variable '{name}' is not bound by any quantifier in scope; "
                f"put the formula inside the quantifier's parentheses, e.g. ∀{name} (… → …)",
                statement.span,
                text,
            )


def _check_arities(
    decls: tuple[PredicateDecl, ...],
    statements: tuple[Statement, ...],
    facts: list[_Facts],
    text: str | None,
    warnings: list[str],
) -> None:
    arity: dict[str, tuple[int, str]] = {}
    for decl in decls:
        arity.setdefault(decl.name, (len(decl.params), "declared in Predicates:"))
    declared = set(arity)
    undeclared: list[str] = []
    for statement, found in zip(statements, facts, strict=True):
        for atom in found.atoms:
            n = len(atom.args)
            seen = arity.get(atom.pred)
            if seen is None:
                arity[atom.pred] = (n, f"used as {atom.pred}/{n}")
                if declared:
                    undeclared.append(atom.pred)
            elif seen[0] != n:
                raise _error(
                    "arity_mismatch",
                    f"predicate '{atom.pred}' has {n} argument(s) here but "
                    f"{seen[0]} elsewhere ({seen[1]}); use one arity per predicate",
                    atom.span or statement.span,
                    text,
                )
    if undeclared:
        names = ", ".join(dict.fromkeys(undeclared))
        warnings.append(f"predicates used but not declared in Predicates: {names}")


def _check_name_clash(
    statements: tuple[Statement, ...], facts: list[_Facts], text: str | None
) -> None:
    predicates = {atom.pred for found in facts for atom in found.atoms}
    for statement, found in zip(statements, facts, strict=True):
        clash = sorted(found.constants & predicates)
        if clash:
            raise _error(
                "name_clash",
                f"'{clash[0]}' is used both as a predicate and as a constant; rename one of them",
                statement.span,
                text,
            )
