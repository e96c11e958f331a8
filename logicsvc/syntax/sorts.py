"""Sort inference: which values every name, argument and variable ranges over.

Plain first-order programs declare nothing, and everything in them lives in one
untyped domain ``U``, exactly as before sorts existed. Typed programs declare
finite sorts (named values or integer ranges) and functions; ``Int`` is built
in. Undeclared positions take their sort from use: ``Rating(x, y) ∧ y > 9``
makes ``Rating``'s second argument an integer. Inference is unification over
*slots* (a predicate's argument position, a constant, one quantifier's
variable, one numeral occurrence): a slot's sort is the one declared sort its
class meets; integer sorts (``Int`` and integer ranges) are compatible with
each other, so ``assigned(c) + 1`` compares with a ``Locker``.

A numeral is a slot of its own at each occurrence: ``3`` is an integer where an
integer is expected and a plain name (FOLIO's ``Year(2022)``) elsewhere.

Every mistake is a :class:`SemanticError` with the span of the offending node.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from logicsvc.errors import SemanticError, Span
from logicsvc.syntax.ast import (
    App,
    Arith,
    ArithOp,
    Atom,
    Binary,
    Compare,
    Const,
    Distinct,
    Equals,
    Formula,
    FunctionDecl,
    Not,
    PredicateDecl,
    Signature,
    SortDecl,
    Term,
    Var,
    is_numeral,
)
from logicsvc.syntax.elaborate import elaborate
from logicsvc.syntax.printer import term_to_dsl

U = "U"
"""The untyped domain of plain first-order logic."""
INT = "Int"
BUILTIN = (INT,)

Slot = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Typing:
    """The resolved vocabulary the prover encodes; empty maps mean all-``U``."""

    sorts: dict[str, SortDecl]
    functions: dict[str, FunctionDecl]
    constants: dict[str, str]
    """Every non-numeral constant: declared ones, enum values, and the rest (inferred)."""
    predicates: dict[str, tuple[str, ...]]
    enum_values: dict[str, str]
    """Named value → its enumerated sort."""

    def is_integer(self, sort: str) -> bool:
        return sort == INT or (sort in self.sorts and self.sorts[sort].integers is not None)

    def is_finite(self, sort: str) -> bool:
        return sort in self.sorts

    @property
    def typed(self) -> bool:
        """Whether anything is not the untyped domain (plain programs stay as they were)."""
        return bool(self.sorts or self.functions) or any(
            s != U for s in (*self.constants.values(), *self.predicate_sorts())
        )

    def predicate_sorts(self) -> Iterable[str]:
        for sorts in self.predicates.values():
            yield from sorts


def _error(code: str, message: str, span: Span | None) -> SemanticError:
    return SemanticError(message, code=code, span=span)


class _Classes:
    """Union-find over slots, each class with the declared sorts it has met."""

    def __init__(self) -> None:
        self.parent: dict[Slot, Slot] = {}
        self.known: dict[Slot, set[str]] = {}
        self.integer: set[Slot] = set()

    def find(self, slot: Slot) -> Slot:
        self.parent.setdefault(slot, slot)
        root = slot
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[slot] != root:
            self.parent[slot], slot = root, self.parent[slot]
        return root

    def union(self, a: Slot, b: Slot) -> Slot:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra
            self.known.setdefault(ra, set()).update(self.known.pop(rb, set()))
            if rb in self.integer:
                self.integer.add(ra)
        return ra


class _Inference:
    def __init__(self, signature: Signature, predicates: tuple[PredicateDecl, ...]) -> None:
        self.classes = _Classes()
        self.sorts = {d.name: d for d in signature.sorts}
        self.functions: dict[str, FunctionDecl] = {}
        self.enum_values: dict[str, str] = {}
        self.fixed_constants: dict[str, str] = {}
        self.numerals = 0
        self.bindings = 0
        for decl in signature.sorts:
            self._declare_sort(decl)
        for f in signature.functions:
            self._declare_function(f)
        self.pred_arity: dict[str, int] = {}
        for p in predicates:
            self.pred_arity.setdefault(p.name, len(p.params))
            for i, param in enumerate(p.params):
                if param in self.sorts or param in BUILTIN:
                    self._meet(("pred", p.name, str(i)), param, p.span)
        self.elaborated: dict[int, str] = {}
        self.bindings_by_id: dict[str, Slot] = {}
        """Each quantifier's slot, by its binding number (what ``elaborated`` records)."""
        self.numeral_spans: dict[Slot, Span | None] = {}
        self.term_text: dict[Slot, str] = {}

    # --- declarations ---------------------------------------------------------

    def _declare_sort(self, decl: SortDecl) -> None:
        if decl.name in BUILTIN:
            message = f"'{decl.name}' is built in; name the sort otherwise"
            raise _error("sort_error", message, decl.span)
        if decl.is_range and decl.low is not None and decl.high is not None:
            if decl.low > decl.high:
                raise _error("sort_error", f"the range {decl.low}..{decl.high} is empty", decl.span)
            if decl.high - decl.low >= 10_000:
                raise _error("sort_error", "a finite sort has at most 10,000 values", decl.span)
            return
        if len(set(decl.values)) != len(decl.values):
            raise _error("sort_error", f"sort '{decl.name}' lists a value twice", decl.span)
        if decl.integers is not None:
            return
        for value in decl.values:
            if is_numeral(value):
                raise _error(
                    "sort_error",
                    f"sort '{decl.name}' mixes numerals and names; use names or a range",
                    decl.span,
                )
            if value in self.enum_values:
                other = self.enum_values[value]
                raise _error(
                    "sort_error",
                    f"value '{value}' belongs to sorts '{other}' and '{decl.name}'; "
                    "a value names one element of one sort",
                    decl.span,
                )
            self.enum_values[value] = decl.name

    def _check_sort_name(self, sort: str, span: Span | None) -> None:
        if sort not in self.sorts and sort not in BUILTIN:
            known = ", ".join([*self.sorts, *BUILTIN])
            raise _error("unknown_sort", f"sort '{sort}' is not declared (known: {known})", span)

    def _declare_function(self, f: FunctionDecl) -> None:
        for sort in (*f.params, f.result):
            self._check_sort_name(sort, f.span)
        if f.name in self.functions or f.name in self.enum_values:
            raise _error("name_clash", f"'{f.name}' is declared twice", f.span)
        if f.params:
            self.functions[f.name] = f
        else:
            self.fixed_constants[f.name] = f.result

    # --- slots ----------------------------------------------------------------

    def _meet(self, slot: Slot, sort: str, span: Span | None) -> None:
        root = self.classes.find(slot)
        known = self.classes.known.setdefault(root, set())
        known.add(sort)
        self._consistent(root, span)

    def _consistent(self, root: Slot, span: Span | None) -> None:
        known = self.classes.known.get(root)
        if not known:  # no declared sort met: nothing to clash (every plain program's case)
            return
        plain = sorted(s for s in known if not self._integer_sort(s))
        if len(plain) > 1 or (plain and (len(known) > 1 or root in self.classes.integer)):
            used = known | ({INT} if root in self.classes.integer else set())
            what = " and ".join(f"'{s}'" for s in sorted(used))
            raise _error("sort_mismatch", f"{self._describe(root)} is used as {what}", span)

    def _describe(self, slot: Slot) -> str:
        kind = slot[0]
        if kind == "pred":
            return f"argument {int(slot[2]) + 1} of '{slot[1]}'"
        if kind == "const":
            return f"'{slot[1]}'"
        if kind == "var":
            return f"variable '{slot[2]}'"
        if kind == "num":
            return f"the number {slot[2]}"
        return f"'{self.term_text[slot]}'" if slot in self.term_text else "a term"

    def check_numerals(self) -> None:
        """A number may be an integer or an untyped name, never a value of a named sort."""
        for slot, span in self.numeral_spans.items():
            sort = self.resolve(slot)
            if sort != U and not self._integer_sort(sort):
                raise _error(
                    "sort_mismatch", f"the number {slot[2]} is not a value of sort '{sort}'", span
                )

    def _integer_sort(self, sort: str) -> bool:
        return sort == INT or (sort in self.sorts and self.sorts[sort].integers is not None)

    def _unify(self, a: Slot, b: Slot, span: Span | None) -> None:
        self._consistent(self.classes.union(a, b), span)

    def _require_integer(self, slot: Slot, span: Span | None) -> None:
        root = self.classes.find(slot)
        self.classes.integer.add(root)
        self._consistent(root, span)

    # --- terms and formulas -----------------------------------------------------

    def term(self, t: Term, env: dict[str, Slot]) -> Slot:
        if isinstance(t, Var):
            if t.name not in env:
                raise _error("free_variable", f"variable '{t.name}' is not bound", t.span)
            return env[t.name]
        if isinstance(t, Const):
            if is_numeral(t.name):
                self.numerals += 1
                num: Slot = ("num", str(self.numerals), t.name)
                self.numeral_spans[num] = t.span
                return num
            slot: Slot = ("const", t.name)
            sort = self.enum_values.get(t.name) or self.fixed_constants.get(t.name)
            if sort is not None:
                self._meet(slot, sort, t.span)
            return slot
        if isinstance(t, App):
            f = self.functions.get(t.func)
            if f is None:
                raise _error(
                    "undeclared_function",
                    f"function '{t.func}' is not declared; declare it under Functions: "
                    f"as {t.func}(Sort, …) : Sort",
                    t.span,
                )
            if len(f.params) != len(t.args):
                raise _error(
                    "arity_mismatch",
                    f"function '{t.func}' takes {len(f.params)} argument(s), not {len(t.args)}",
                    t.span,
                )
            for arg, sort in zip(t.args, f.params, strict=True):
                self._meet(self.term(arg, env), sort, arg.span or t.span)
            slot = self._fixed(f.result, t.span)
            self.term_text[slot] = term_to_dsl(t)
            return slot
        if isinstance(t, Arith):
            left, right = self.term(t.left, env), self.term(t.right, env)
            self._require_integer(left, t.span)
            self._require_integer(right, t.span)
            if t.op is ArithOp.MUL and not (_literal(t.left) or _literal(t.right)):
                raise _error(
                    "nonlinear",
                    "multiply by a number only (2 * x), not one term by another",
                    t.span,
                )
            return self._fixed(INT, t.span)
        self._check_sort_name(t.sort, t.span)
        if t.sort not in self.sorts:
            raise _error(
                "infinite_count",
                f"count needs a finite sort (declared under Sorts:), not '{t.sort}'",
                t.span,
            )
        self.formula(t.body, {**env, t.var: self._bind(t.var, t.sort, t.span)})
        return self._fixed(INT, t.span)

    def _fixed(self, sort: str, span: Span | None) -> Slot:
        self.numerals += 1
        slot: Slot = ("term", str(self.numerals))
        self._meet(slot, sort, span)
        return slot

    def _bind(self, var: str, sort: str | None, span: Span | None) -> Slot:
        self.bindings += 1
        slot: Slot = ("var", str(self.bindings), var)
        if sort is not None:
            self._check_sort_name(sort, span)
            self._meet(slot, sort, span)
        return slot

    def formula(self, f: Formula, env: dict[str, Slot]) -> None:
        if isinstance(f, Atom):
            seen = self.pred_arity.setdefault(f.pred, len(f.args))
            if seen != len(f.args):
                return  # the arity check reports it, with its own wording
            for i, arg in enumerate(f.args):
                self._unify(("pred", f.pred, str(i)), self.term(arg, env), arg.span or f.span)
        elif isinstance(f, Equals):
            self._unify(self.term(f.left, env), self.term(f.right, env), f.span)
        elif isinstance(f, Compare):
            for side in (f.left, f.right):
                self._require_integer(self.term(side, env), f.span)
        elif isinstance(f, Distinct):
            slots = [self.term(t, env) for t in f.terms]
            for other in slots[1:]:
                self._unify(slots[0], other, f.span)
        elif isinstance(f, Not):
            self.formula(f.operand, env)
        elif isinstance(f, Binary):
            self.formula(f.left, env)
            self.formula(f.right, env)
        else:
            slot = self._bind(f.var, f.sort, f.span)
            self.elaborated[id(f)] = slot[1]
            self.formula(f.body, {**env, f.var: slot})
            self.bindings_by_id[slot[1]] = slot

    # --- results ----------------------------------------------------------------

    def resolve(self, slot: Slot) -> str:
        root = self.classes.find(slot)
        known = self.classes.known.get(root, set())
        plain = [s for s in known if not self._integer_sort(s)]
        if plain:
            return plain[0]  # consistency allows one, and no integer use beside it
        finite = sorted(known - {INT})
        if len(finite) == 1 and INT not in known:
            return finite[0]
        if known or root in self.classes.integer:
            return INT
        return U


def _literal(t: Term) -> bool:
    return isinstance(t, Const) and is_numeral(t.name)


@dataclass(frozen=True, slots=True)
class Sorted:
    formulas: tuple[Formula, ...]
    """The input formulas, each untyped quantifier given its inferred sort (when not ``U``)."""
    typing: Typing


def infer(
    formulas: tuple[Formula, ...],
    signature: Signature | None = None,
    predicates: tuple[PredicateDecl, ...] = (),
) -> Sorted:
    """Infer every sort; raise :class:`SemanticError` at the first inconsistency."""
    run = _Inference(signature or Signature(), predicates)
    for formula in formulas:
        run.formula(formula, {})
    run.check_numerals()
    constants: dict[str, str] = {}
    predicates_out: dict[str, tuple[str, ...]] = {}
    for slot in list(run.classes.parent):
        if slot[0] == "const":
            constants[slot[1]] = run.resolve(slot)
    for name, sort in {**run.fixed_constants, **run.enum_values}.items():
        constants[name] = sort
    for pred, arity in run.pred_arity.items():
        predicates_out[pred] = tuple(run.resolve(("pred", pred, str(i))) for i in range(arity))
    typing = Typing(run.sorts, run.functions, constants, predicates_out, run.enum_values)
    sorts = {key: run.resolve(slot) for key, slot in run.bindings_by_id.items()}
    typed = {key: sort for key, sort in sorts.items() if sort != U}
    if not typed:  # nothing to write back: elaborating would return every formula as it is
        return Sorted(formulas, typing)
    out = tuple(elaborate(f, run.elaborated, typed) for f in formulas)
    return Sorted(out, typing)
