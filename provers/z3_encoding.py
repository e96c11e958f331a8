"""AST formulas → Z3 terms in one context, sorts included.

Plain first-order formulas live in one uninterpreted sort ``U``, exactly as they
always have. Typed ones map each sort to Z3: an enumerated sort to a Z3
enumeration, an integer range (or set of integers) to ``Int`` with membership
axioms on every constant and function value of that sort, ``Int`` to ``Int``.
Quantifiers and counts over a finite sort are expanded into the finite
conjunction, disjunction or sum they denote, so puzzles stay quantifier-free
and decidable; quantifiers over ``U`` and ``Int`` stay Z3 quantifiers.

Internal names (``premise!3``) contain ``!``, which no DSL name can, so they
never meet user names.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterator

import z3

from logicsvc.provers.z3_raw import Ast, Raw
from logicsvc.syntax.ast import (
    App,
    Arith,
    ArithOp,
    Atom,
    Binary,
    Compare,
    CompareOp,
    Const,
    Count,
    Distinct,
    Equals,
    Formula,
    Not,
    Op,
    Quantified,
    Quantifier,
    Term,
    Var,
    is_numeral,
)
from logicsvc.syntax.sorts import INT, Typing, U
from logicsvc.syntax.walk import subformulas

_enum_names = itertools.count(1)


Env = dict[str, tuple[z3.ExprRef, str]]
"""A bound variable's Z3 term (a bound constant, or a value when expanded) and its sort."""


class FreeVariable(Exception):
    """Only hand-built trees have unbound variables; checked problems never do."""


class Encoder:
    """Translates formulas of one problem into one context."""

    def __init__(self, ctx: z3.Context, formulas: tuple[Formula, ...], typing: Typing) -> None:
        self.ctx = ctx
        self.raw = Raw(ctx)
        self.typing = typing
        self.sort = z3.DeclareSort("U", ctx)
        self.bool = z3.BoolSort(ctx)
        self.int = z3.IntSort(ctx)
        self.enums: dict[str, tuple[z3.SortRef, dict[str, z3.ExprRef]]] = {}
        for name, decl in typing.sorts.items():
            if decl.integers is None:
                # unique within the context: a shared one may have seen this name before
                unique = f"{name}!{next(_enum_names)}"
                sort, values = z3.EnumSort(unique, list(decl.values), ctx)
                self.enums[name] = (sort, dict(zip(decl.values, values, strict=True)))
        self.axioms: list[z3.BoolRef] = []
        self.constants: dict[str, z3.ExprRef] = {}
        """Every constant of the problem by name (enumeration values excluded)."""
        self.constant_sorts: dict[str, str] = {}
        names = {n: s for n, s in typing.constants.items() if n not in typing.enum_values}
        if not typing.typed:  # numerals are plain names here, declared with the rest
            names.update((c, U) for c in _numerals(formulas))
        for name, sort in sorted(names.items()):
            self._constant(name, sort)
        self.predicates: dict[tuple[str, int], z3.AstRef] = {}
        self._raw_predicates: dict[tuple[str, int], Ast] = {}
        for pred, sorts in sorted(typing.predicates.items()):
            z3sorts = [self.z3sort(s) for s in sorts]
            decl = (
                self.raw.function(pred, z3sorts, self.bool)
                if sorts
                else self._const(pred, self.bool)
            )
            self.predicates[(pred, len(sorts))] = decl
            if sorts:
                self._raw_predicates[(pred, len(sorts))] = decl.ast
        self.functions: dict[str, z3.FuncDeclRef] = {}
        for name, f in sorted(typing.functions.items()):
            decl = z3.Function(name, *[self.z3sort(s) for s in (*f.params, f.result)])
            self.functions[name] = decl
            self._range_axiom(decl, f.params, f.result)
        self._formulas = formulas
        self._declared = bool(self.constants)
        self._numerals = INT if typing.sorts or typing.functions else U
        """What two bare numerals compared are: integers in typed programs, names otherwise."""
        self._taken = set(self.constants) | set(typing.predicates) | set(typing.functions)
        self._counter = 0

    @functools.cached_property
    def first_order(self) -> bool:
        """Whether a model needs a domain (only a rendered countermodel asks)."""
        return self._declared or any(
            isinstance(node, Quantified | Equals) or (isinstance(node, Atom) and node.args)
            for f in self._formulas
            for node in subformulas(f)
        )

    # --- sorts ---------------------------------------------------------------

    def z3sort(self, sort: str) -> z3.SortRef:
        if sort == U:
            return self.sort
        if sort in self.enums:
            return self.enums[sort][0]
        return self.int  # Int, integer ranges and integer sets

    def members(self, sort: str) -> list[z3.ExprRef] | None:
        """A finite sort's values as Z3 terms; ``None`` for ``U`` and ``Int``."""
        if sort in self.enums:
            return list(self.enums[sort][1].values())
        decl = self.typing.sorts.get(sort)
        if decl is None or decl.integers is None:
            return None
        return [z3.IntVal(v, self.ctx) for v in decl.integers]

    def _member(self, term: z3.ExprRef, sort: str) -> z3.BoolRef | None:
        decl = self.typing.sorts.get(sort)
        values = None if decl is None else decl.integers
        if not values:
            return None
        low, high = min(values), max(values)
        if high - low + 1 == len(values):  # a range, however it was written
            return z3.And(term >= low, term <= high)
        return z3.Or([term == v for v in values])

    def _constant(self, name: str, sort: str) -> z3.ExprRef:
        const = self._const(name, self.z3sort(sort))
        self.constants[name] = const
        self.constant_sorts[name] = sort
        member = self._member(const, sort)
        if member is not None:
            self.axioms.append(member)
        return const

    def _range_axiom(self, decl: z3.FuncDeclRef, params: tuple[str, ...], result: str) -> None:
        if result not in self.typing.sorts or self.typing.sorts[result].integers is None:
            return
        finite = [self.members(p) for p in params]
        if all(m is not None for m in finite):
            for args in itertools.product(*[m for m in finite if m is not None]):
                member = self._member(decl(*args), result)
                assert member is not None
                self.axioms.append(member)
            return
        bound = [self.fresh("arg", self.z3sort(p)) for p in params]
        member = self._member(decl(*bound), result)
        assert member is not None
        self.axioms.append(z3.ForAll(bound, member))

    def fresh(self, base: str, sort: z3.SortRef) -> z3.ExprRef:
        while True:
            self._counter += 1
            name = f"{base}!{self._counter}"
            if name not in self._taken:
                return self._const(name, sort)

    def _const(self, name: str, sort: z3.SortRef) -> z3.ExprRef:
        """``z3.Const(name, sort)``, the wrapper's class known for the problem's own sorts
        (``z3.Const`` asks Z3 for the new term's kind and sort to pick it)."""
        raw = self.raw.const(name, sort)
        if sort is self.bool:
            made: z3.ExprRef = z3.BoolRef(raw, self.ctx)
        elif sort is self.sort:
            made = z3.ExprRef(raw, self.ctx)
        else:
            made = z3.z3._to_expr_ref(raw, self.ctx)
        self.raw.release(raw)
        return made

    # --- terms -----------------------------------------------------------------

    def sort_of(self, t: Term, env: Env) -> str | None:
        """The sort a term denotes; ``None`` for a numeral (it takes its context's)."""
        if isinstance(t, Var):
            return env[t.name][1] if t.name in env else None
        if isinstance(t, Const):
            if is_numeral(t.name):
                return None
            return self.typing.enum_values.get(t.name) or self.constant_sorts.get(t.name, U)
        if isinstance(t, App):
            f = self.typing.functions.get(t.func)
            return f.result if f else None
        return INT

    def term(self, t: Term, env: Env, expected: str | None) -> z3.ExprRef:
        if isinstance(t, Var):
            if t.name not in env:
                raise FreeVariable(f"variable {t.name!r} is not bound by any quantifier")
            return env[t.name][0]
        if isinstance(t, Const):
            return self._name(t.name, expected)
        if isinstance(t, App):
            f = self.typing.functions[t.func]
            args = [self.term(a, env, s) for a, s in zip(t.args, f.params, strict=True)]
            return self.functions[t.func](*args)
        if isinstance(t, Arith):
            left, right = self.term(t.left, env, INT), self.term(t.right, env, INT)
            if t.op is ArithOp.ADD:
                return left + right
            if t.op is ArithOp.SUB:
                return left - right
            return left * right
        values = self.members(t.sort) or []
        one, zero = z3.IntVal(1, self.ctx), z3.IntVal(0, self.ctx)
        terms = [
            z3.If(self.formula(t.body, {**env, t.var: (v, t.sort)}), one, zero) for v in values
        ]
        return z3.Sum(terms) if terms else zero

    def _name(self, name: str, expected: str | None) -> z3.ExprRef:
        enum = self.typing.enum_values.get(name)
        if enum is not None:
            return self.enums[enum][1][name]
        if is_numeral(name) and expected != U:
            return z3.IntVal(int(name), self.ctx)
        if name in self.constants:
            return self.constants[name]
        return self._constant(name, U)  # a numeral used as a plain name (Year(2022))

    # --- formulas ----------------------------------------------------------------

    def formula(self, f: Formula, env: Env) -> z3.BoolRef:
        return self.raw.wrap(self.raw_formula(f, env))

    def raw_formula(self, f: Formula, env: Env) -> Ast:
        """``formula`` as an owned raw term: untyped atoms, connectives, equalities and
        quantifiers over ``U`` through the C API (what FOLIO is made of), the rest through
        the Python API, building the same terms in the same order either way."""
        raw = self.raw
        if isinstance(f, Atom):
            if not f.args:
                return raw.borrow(self.predicates[(f.pred, 0)])
            sorts = self.typing.predicates[f.pred]
            if all(s == U for s in sorts):
                decl = self._raw_predicates[(f.pred, len(f.args))]
                return raw.app(decl, self._raw_terms(f.args, env))
        elif isinstance(f, Not):
            return raw.not_(self.raw_formula(f.operand, env))
        elif isinstance(f, Binary):
            left = self.raw_formula(f.left, env)
            try:
                right = self.raw_formula(f.right, env)
            except BaseException:  # RecursionError too: the shared context lives on
                raw.release(left)
                raise
            if f.op is Op.AND:
                return raw.and_(left, right)
            if f.op is Op.OR:
                return raw.or_(left, right)
            if f.op is Op.IMPLIES:
                return raw.implies(left, right)
            if f.op is Op.XOR:
                return raw.xor(left, right)
            return raw.eq(left, right)
        elif isinstance(f, Equals):
            sort = self.sort_of(f.left, env) or self.sort_of(f.right, env) or self._numerals
            if sort == U:
                return raw.eq(*self._raw_terms((f.left, f.right), env))
        elif isinstance(f, Quantified) and (f.sort or U) == U:
            bound = self.fresh(f.var, self.sort)
            body = self.raw_formula(f.body, {**env, f.var: (bound, U)})
            try:
                made = raw.quantifier(f.quantifier is Quantifier.ALL, bound, body)
            finally:
                del bound  # freed before the body, as the Python API's frame did
                raw.release(body)
            return made
        return raw.borrow(self._formula_api(f, env))

    def _raw_terms(self, terms: tuple[Term, ...], env: Env) -> list[Ast]:
        """Owned raw terms of sort ``U``, each released again if a later one fails."""
        made: list[Ast] = []
        try:
            for t in terms:
                made.append(self._raw_term(t, env))
        except BaseException:
            self.raw.release(*made)
            raise
        return made

    def _raw_term(self, t: Term, env: Env) -> Ast:
        """An owned raw term of sort ``U``."""
        if isinstance(t, Var):
            if t.name not in env:
                raise FreeVariable(f"variable {t.name!r} is not bound by any quantifier")
            return self.raw.borrow(env[t.name][0])
        if isinstance(t, Const) and t.name in self.constants:  # never an enumeration value
            return self.raw.borrow(self.constants[t.name])
        return self.raw.borrow(self.term(t, env, U))

    def _formula_api(self, f: Formula, env: Env) -> z3.BoolRef:
        if isinstance(f, Atom):
            decl = self.predicates[(f.pred, len(f.args))]
            if not f.args:
                return decl
            sorts = self.typing.predicates[f.pred]
            return apply_predicate(
                decl, [self.term(a, env, s) for a, s in zip(f.args, sorts, strict=True)]
            )
        if isinstance(f, Equals):
            sort = self.sort_of(f.left, env) or self.sort_of(f.right, env) or self._numerals
            return self.term(f.left, env, sort) == self.term(f.right, env, sort)
        if isinstance(f, Compare):
            left, right = self.term(f.left, env, INT), self.term(f.right, env, INT)
            return _COMPARE[f.op](left, right)
        if isinstance(f, Distinct):
            known = (self.sort_of(t, env) for t in f.terms)
            sort = next((s for s in known if s is not None), self._numerals)
            return z3.Distinct(*(self.term(t, env, sort) for t in f.terms))
        assert isinstance(f, Quantified), f  # connectives are raw_formula's alone
        sort = f.sort or U
        values = self.members(sort)
        if values is not None:  # a finite sort: the conjunction or disjunction it denotes
            cases = [self.formula(f.body, {**env, f.var: (v, sort)}) for v in values]
            if f.quantifier is Quantifier.ALL:
                return z3.And(cases) if cases else z3.BoolVal(True, self.ctx)
            return z3.Or(cases) if cases else z3.BoolVal(False, self.ctx)
        bound = self.fresh(f.var, self.z3sort(sort))
        body = self.formula(f.body, {**env, f.var: (bound, sort)})
        make = z3.ForAll if f.quantifier is Quantifier.ALL else z3.Exists
        return make([bound], body)

    def typed_entries(self) -> Iterator[tuple[str, z3.ExprRef]]:
        """Every ground term a typed model assigns: constants, then function tables."""
        for name in sorted(self.constants):
            if self.constant_sorts[name] != U:
                yield name, self.constants[name]
        for name, f in sorted(self.typing.functions.items()):
            domains = [self.members(p) for p in f.params]
            if any(d is None for d in domains):
                continue
            decl = self.functions[name]
            for args in itertools.product(*[d for d in domains if d is not None]):
                shown = ", ".join(str(a) for a in args)
                yield f"{name}({shown})", decl(*args)


def _numerals(formulas: tuple[Formula, ...]) -> set[str]:
    """The numerals among the formulas' constants (``constants`` of each, filtered), in one
    walk over formulas and terms together: the per-formula walk was a tenth of encoding."""
    found: set[str] = set()
    stack: list[Formula | Term] = list(formulas)
    while stack:
        node = stack.pop()
        if isinstance(node, Const):
            if is_numeral(node.name):
                found.add(node.name)
        elif isinstance(node, Atom | App):
            stack.extend(node.args)
        elif isinstance(node, Not):
            stack.append(node.operand)
        elif isinstance(node, Binary | Equals | Compare | Arith):
            stack += (node.left, node.right)
        elif isinstance(node, Quantified | Count):
            stack.append(node.body)
        elif isinstance(node, Distinct):
            stack.extend(node.terms)
    return found


def apply_predicate(predicate: z3.FuncDeclRef, args: list[z3.ExprRef]) -> z3.BoolRef:
    """``predicate(*args)`` without the Python API's cast of every argument to its
    parameter's sort (half of the time encoding a FOLIO problem took): the arguments come
    with the sorts inference gave them, and Z3 itself refuses a mismatch (``Z3Exception``)."""
    ctx = predicate.ctx
    array = (z3.Ast * len(args))(*(arg.as_ast() for arg in args))
    return z3.BoolRef(z3.Z3_mk_app(ctx.ref(), predicate.as_ast(), len(args), array), ctx)


_COMPARE = {
    CompareOp.LT: lambda a, b: a < b,
    CompareOp.LE: lambda a, b: a <= b,
    CompareOp.GT: lambda a, b: a > b,
    CompareOp.GE: lambda a, b: a >= b,
}
