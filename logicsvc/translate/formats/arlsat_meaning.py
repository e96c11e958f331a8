"""What AR-LSAT expressions mean: formulas and terms of the typed AST.

See :mod:`.arlsat` for the format.  Every node built here carries the span of
the text it came from, so the sort checker's errors point into the model's
program too.
"""

from __future__ import annotations

import itertools

import lark

from logicsvc.errors import InputError, Span
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
)
from logicsvc.translate.formats.arlsat_fold import (
    chain,
    conjunction,
    iff,
    member,
    negate,
    sum_of,
    xor,
)
from logicsvc.translate.formats.arlsat_vocabulary import INT, Vocabulary, span_of

_COMPARE = {"<": CompareOp.LT, "<=": CompareOp.LE, ">": CompareOp.GT, ">=": CompareOp.GE}
_ARITH = {"+": ArithOp.ADD, "-": ArithOp.SUB, "*": ArithOp.MUL}
_CONNECTIVES = {"And", "Or", "Not", "Implies", "Xor", "If", "ForAll", "Exists"}

Env = dict[str, tuple[Term, str]]


class Interpreter:
    """Expressions of one program → formulas and terms of the typed AST.

    ``Abs(t)`` and ``t % k`` (z3py's, which Logic-LM's executor runs) have no
    term of their own in the DSL; each becomes a fresh integer variable defined
    where its atom stands: ``φ[t % k]`` is ``∃q ∃r (t = k*q + r ∧ 0 ≤ r < k ∧
    φ[r])`` and ``φ[Abs(t)]`` is ``∃a ((a = t ∨ a = 0 - t) ∧ a ≥ 0 ∧ φ[a])``.
    The witnesses are unique, so the reading is exact under any polarity.
    """

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.v = vocabulary
        self.line = 0
        self._lifted: list[list[tuple[list[str], Formula]]] = []
        self._fresh = 0

    def formula(self, tree: object, line: int) -> Formula:
        self.line = line
        return self._formula(tree, {})

    def items(self, tree: object) -> list[object] | None:
        if isinstance(tree, lark.Tree) and tree.data == "list":
            items = tree.children[0]
            found: list[object] = list(items.children) if isinstance(items, lark.Tree) else []
            return found
        return None

    def _fail(self, message: str, tree: object, code: str = "syntax_error") -> InputError:
        return self.v.error(message, tree, self.line, code)

    # --- what a node is ------------------------------------------------------

    def is_formula(self, tree: object, env: Env) -> bool:
        if not isinstance(tree, lark.Tree):
            return False
        if tree.data == "compare":
            return True
        if tree.data == "call":
            name = str(tree.children[0])
            if name == "If":
                args = self._args(tree)
                return len(args) == 3 and self.is_formula(args[1], env)
            return name in _CONNECTIVES or name in self.v.predicates or name == "Distinct"
        if tree.data == "name":
            name = str(tree.children[0])
            return name in ("True", "False") or (name in self.v.predicates and name not in env)
        return False

    def _args(self, tree: lark.Tree[lark.Token]) -> list[object]:
        args = tree.children[1]
        items: list[object] = list(args.children) if isinstance(args, lark.Tree) else []
        if len(items) == 1 and isinstance(items[0], lark.Tree) and items[0].data == "list":
            inner = items[0].children[0]  # And([a, b]) is And(a, b), as in z3py
            if tree.children[0] in ("And", "Or", "Distinct", "Sum"):
                return list(inner.children) if isinstance(inner, lark.Tree) else []
        return items

    # --- formulas ------------------------------------------------------------

    def _formula(self, tree: object, env: Env) -> Formula:
        folded = self._fold(tree, env)
        if isinstance(folded, bool):
            message = f"a formula that is always {folded}; write the constraint itself"
            raise self._fail(message, tree, "constant_formula")
        return folded

    def _fold(self, tree: object, env: Env) -> Formula | bool:
        """A formula, or a Python truth value where the text is ``True``/``False``."""
        self._lifted.append([])
        try:
            folded = self._fold_here(tree, env)
        finally:
            lifted = self._lifted.pop()
        if isinstance(folded, bool) or not lifted:
            return folded
        span = span_of(tree, self.line)
        for variables, definition in reversed(lifted):
            body: Formula = Binary(Op.AND, definition, folded, span)
            for var in reversed(variables):
                body = Quantified(Quantifier.EXISTS, var, body, span, INT)
            folded = body
        return folded

    def _fresh_var(self, base: str) -> str:
        self._fresh += 1
        return f"{base}_{self._fresh}_"

    def _fold_here(self, tree: object, env: Env) -> Formula | bool:
        span = span_of(tree, self.line)
        if not isinstance(tree, lark.Tree):
            raise self._fail("expected a formula", tree)
        if tree.data == "name" and str(tree.children[0]) in ("True", "False"):
            return str(tree.children[0]) == "True"
        if tree.data == "name" and self.is_formula(tree, env):
            return Atom(str(tree.children[0]), (), span)
        if tree.data == "compare":
            return self._compare(tree, env, span)
        if tree.data != "call":
            raise self._fail("expected a formula, found a value", tree, "sort_mismatch")
        name = str(tree.children[0])
        args = self._args(tree)
        if name in self.v.predicates:
            params = self.v.predicates[name]
            if len(args) != len(params):
                message = f"'{name}' takes {len(params)} argument(s), not {len(args)}"
                raise self._fail(message, tree, "arity_mismatch")
            return Atom(name, tuple(self._term(a, env) for a in args), span)
        if name in ("ForAll", "Exists"):
            return self._quantified(name, args, tree, env, span)
        if name == "Distinct":
            return self.distinct(tree, env, span)
        parts = [self._fold(a, env) for a in args]
        return self._connective(name, parts, tree, span)

    def _connective(
        self, name: str, parts: list[Formula | bool], tree: object, span: Span | None
    ) -> Formula | bool:
        want = {"Not": 1, "Implies": 2, "Xor": 2, "If": 3}.get(name)
        if name not in _CONNECTIVES:
            message = f"'{name}' is not declared (declare it with Function, or use And, Or, …)"
            raise self._fail(message, tree, "undeclared_function")
        if (want is not None and len(parts) != want) or not parts:
            count = f"{want} argument(s)" if want else "at least one argument"
            raise self._fail(f"{name} takes {count}, not {len(parts)}", tree, "arity_mismatch")
        if name == "Not":
            return negate(parts[0], span)
        if name == "And":
            return chain(Op.AND, parts, span)
        if name == "Or":
            return chain(Op.OR, parts, span)
        if name == "Implies":
            if isinstance(parts[0], bool) or isinstance(parts[1], bool):
                return chain(Op.OR, [negate(parts[0], span), parts[1]], span)
            return Binary(Op.IMPLIES, parts[0], parts[1], span)
        if name == "Xor":
            return xor(parts[0], parts[1], span)
        cond, yes, no = parts
        then = chain(Op.OR, [negate(cond, span), yes], span)
        return chain(Op.AND, [then, chain(Op.OR, [cond, no], span)], span)

    def _quantified(
        self, name: str, args: list[object], tree: object, env: Env, span: Span | None
    ) -> Formula:
        if len(args) != 2:
            raise self._fail(f"{name} takes a list of variables and a formula", tree)
        scopes = self._scopes(args[0], env)
        quantifier = Quantifier.ALL if name == "ForAll" else Quantifier.EXISTS
        inner = {**env, **{var: (Var(var, span), sort) for var, sort, _ in scopes}}
        body: Formula | bool = self._formula(args[1], inner)
        for var, sort, members in reversed(scopes):
            if members is not None:  # a subset list: guard the parent sort's variable
                guard = member(var, members, span)
                body = chain(
                    Op.OR if name == "ForAll" else Op.AND,
                    [negate(guard, span) if name == "ForAll" else guard, body],
                    span,
                )
                assert not isinstance(body, bool)
            assert not isinstance(body, bool)
            body = Quantified(quantifier, var, body, span, sort)
        assert not isinstance(body, bool)
        return body

    def _scopes(self, tree: object, env: Env) -> list[tuple[str, str, tuple[str, ...] | None]]:
        """``[x:s, y:t]`` → (variable, sort, members when ``s`` is a subset list)."""
        items = self.items(tree)
        if not items or not all(isinstance(i, lark.Tree) and i.data == "scoped" for i in items):
            raise self._fail("expected a list of variables such as [x:sort, y:sort]", tree)
        out = []
        for item in items:
            assert isinstance(item, lark.Tree)
            var, sort = (str(c) for c in item.children)
            if var in self.v.owner or var in self.v.functions or var in self.v.predicates:
                message = f"'{var}' is already a value or function; name the variable otherwise"
                raise self._fail(message, item, "name_clash")
            resolved = self.v.param_sort(sort, item, self.line)
            info = self.v.sorts.get(sort)
            out.append((var, resolved, info.members if info and info.parent else None))
        return out

    def _compare(self, tree: lark.Tree[lark.Token], env: Env, span: Span | None) -> Formula | bool:
        left, op_token, right = tree.children
        op = str(op_token)
        if self.is_formula(left, env) or self.is_formula(right, env):
            if op not in ("==", "!="):
                raise self._fail(f"'{op}' compares numbers, not formulas", tree, "sort_mismatch")
            a, b = self._fold(left, env), self._fold(right, env)
            same = iff(a, b, span)
            return same if op == "==" else negate(same, span)
        a_term, b_term = self._term(left, env), self._term(right, env)
        if op == "==":
            return Equals(a_term, b_term, span)
        if op == "!=":
            return Not(Equals(a_term, b_term, span), span)
        return Compare(_COMPARE[op], a_term, b_term, span)

    # --- terms ---------------------------------------------------------------

    def _term(self, tree: object, env: Env) -> Term:
        span = span_of(tree, self.line)
        if not isinstance(tree, lark.Tree):
            raise self._fail("expected a value", tree)
        kind = tree.data
        if kind == "number":
            return Const(str(tree.children[0]), span)
        if kind == "decimal":
            raise self._fail("only whole numbers are values here", tree, "unsupported")
        if kind in ("name", "string"):
            return self._name(tree, env, span)
        if kind == "binop":
            left, op, right = tree.children
            if str(op) == "%":
                return self._modulo(left, right, tree, env, span)
            return Arith(_ARITH[str(op)], self._term(left, env), self._term(right, env), span)
        if kind == "neg":
            return Arith(ArithOp.SUB, Const("0", span), self._term(tree.children[1], env), span)
        if kind == "call":
            return self._call_term(tree, env, span)
        if kind == "compare" or self.is_formula(tree, env):
            raise self._fail("expected a value, found a formula", tree, "sort_mismatch")
        raise self._fail(f"a {kind} is not a value here", tree, "unsupported")

    def _name(self, tree: lark.Tree[lark.Token], env: Env, span: Span | None) -> Term:
        token = str(tree.children[0])
        name = token[1:-1] if tree.data == "string" else token
        if tree.data == "name" and name in env:
            return env[name][0]
        if name in self.v.owner or (tree.data == "name" and name in self.v.functions):
            if name in self.v.functions and self.v.functions[name][0]:
                raise self._fail(f"'{name}' needs its arguments", tree, "arity_mismatch")
            return Const(name, span)
        raise self._fail(f"'{name}' is not declared", tree, "undeclared_name")

    def _call_term(self, tree: lark.Tree[lark.Token], env: Env, span: Span | None) -> Term:
        name = str(tree.children[0])
        args = self._args(tree)
        if name in self.v.functions:
            params, _ = self.v.functions[name]
            if len(args) != len(params):
                message = f"'{name}' takes {len(params)} argument(s), not {len(args)}"
                raise self._fail(message, tree, "arity_mismatch")
            if not params:
                return Const(name, span)
            return App(name, tuple(self._term(a, env) for a in args), span)
        if name == "Count":
            return self._count(args, tree, env, span)
        if name == "Abs" and len(args) == 1:
            inner = self._term(args[0], env)
            a = self._fresh_var("abs")
            value = Var(a, span)
            zero = Const("0", span)
            define: list[Formula] = [
                Binary(
                    Op.OR,
                    Equals(value, inner, span),
                    Equals(value, Arith(ArithOp.SUB, zero, inner, span), span),
                    span,
                ),
                Compare(CompareOp.GE, value, zero, span),
            ]
            self._lifted[-1].append(([a], conjunction(define, span)))
            return value
        if name == "Sum" and args and not any(_is_scoped(a) for a in args):
            terms = [self._term(a, env) for a in args]
            return sum_of(terms, span)
        if name == "Distinct":
            raise self._fail("Distinct is a formula, not a value", tree, "sort_mismatch")
        message = f"'{name}' is not a function of this program or of Logic-LM's format"
        raise self._fail(message, tree, "undeclared_function")

    def _modulo(
        self, left: object, right: object, tree: object, env: Env, span: Span | None
    ) -> Term:
        if not (isinstance(right, lark.Tree) and right.data == "number"):
            raise self._fail("'%' takes a positive whole number on its right", tree, "unsupported")
        k = str(right.children[0])
        if int(k) <= 0:
            raise self._fail("'%' takes a positive whole number on its right", tree, "unsupported")
        inner = self._term(left, env)
        q, r = self._fresh_var("quotient"), self._fresh_var("remainder")
        rest = Var(r, span)
        product = Arith(ArithOp.MUL, Const(k, span), Var(q, span), span)
        define: list[Formula] = [
            Equals(inner, Arith(ArithOp.ADD, product, rest, span), span),
            Compare(CompareOp.GE, rest, Const("0", span), span),
            Compare(CompareOp.LT, rest, Const(k, span), span),
        ]
        self._lifted[-1].append(([q, r], conjunction(define, span)))
        return rest

    def _count(self, args: list[object], tree: object, env: Env, span: Span | None) -> Term:
        if len(args) != 2:
            raise self._fail("Count takes a list of variables and a formula", tree)
        scopes = self._scopes(args[0], env)
        *outer, (var, sort, members) = scopes
        if sort == INT:
            raise self._fail("Count needs a finite sort, not int", tree, "infinite_count")
        terms: list[Term] = []
        for values in itertools.product(*[self._members(s, m) for _, s, m in outer]):
            inner = dict(env)
            inner.update(
                (v, (Const(x, span), s)) for (v, s, _), x in zip(outer, values, strict=True)
            )
            if not self.is_formula(args[1], inner):  # Logic-LM's Count is a Sum
                for x in self._members(sort, members):
                    terms.append(self._term(args[1], {**inner, var: (Const(x, span), sort)}))
                continue
            body = self._formula(args[1], {**inner, var: (Var(var, span), sort)})
            if members is not None:
                body = Binary(Op.AND, member(var, members, span), body, span)
            terms.append(Count(var, sort, body, span))
        return sum_of(terms, span)

    def _members(self, sort: str, members: tuple[str, ...] | None) -> tuple[str, ...]:
        if members is not None:
            return members
        return self.v.sorts[sort].members

    def distinct(self, tree: lark.Tree[lark.Token], env: Env, span: Span | None) -> Formula:
        args = self._args(tree)
        if args and _is_scoped_list(args[0]):
            if len(args) != 2:
                raise self._fail("Distinct([x:sort], term) takes one term", tree)
            ((var, sort, members),) = self._scopes(args[0], env) or [("", "", None)]
            terms = tuple(
                self._term(args[1], {**env, var: (Const(x, span), sort)})
                for x in self._members(sort, members)
            )
        else:
            terms = tuple(self._term(a, env) for a in args)
        if len(terms) < 2:
            raise self._fail("Distinct needs at least two values", tree, "arity_mismatch")
        return Distinct(terms, span)


def _is_scoped(tree: object) -> bool:
    return isinstance(tree, lark.Tree) and tree.data == "scoped"


def _is_scoped_list(tree: object) -> bool:
    if not (isinstance(tree, lark.Tree) and tree.data == "list"):
        return False
    items = tree.children[0]
    return isinstance(items, lark.Tree) and any(_is_scoped(i) for i in items.children)
