"""Render a Z3 model as readable facts a person can check against the premises.

Elements are named by the constants that denote them (the alphabetically first
one when several do, the others listed as equalities); the rest are ``e1``,
``e2``, ... .  Every predicate of the problem is listed over the whole domain,
true atoms plain and false ones with ``¬``, so the rendering is a complete
structure, not a sample of one. Rendering stops at the call's ``deadline``
(``truncated``): the verdict is already decided, and the caller's time limit covers
the whole call, explanation included.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import z3

from logicsvc.provers.z3_encoding import apply_predicate

if TYPE_CHECKING:
    from logicsvc.provers.z3_encoding import Encoder

MAX_FACTS = 200


def _past(deadline: float | None) -> bool:
    return deadline is not None and time.monotonic() > deadline


def _holds(model: z3.ModelRef, decl: z3.AstRef, args: list[z3.ExprRef]) -> bool:
    """``z3.is_true(model.eval(decl(*args), model_completion=True))`` through the C API:
    the Python wrappers of the atom and its value were four fifths of a fact's cost."""
    atom = apply_predicate(decl, args) if args else decl
    ctx = atom.ctx
    value = (z3.Ast * 1)()
    if not z3.Z3_model_eval(ctx.ref(), model.model, atom.as_ast(), True, value):
        raise z3.Z3Exception(f"the model does not evaluate {atom}")
    return bool(z3.Z3_get_bool_value(ctx.ref(), value[0]) == z3.Z3_L_TRUE)


def render(
    model: z3.ModelRef,
    sort: z3.SortRef,
    constants: Mapping[str, z3.ExprRef],
    predicates: Mapping[tuple[str, int], z3.AstRef],
    first_order: bool = True,
    max_facts: int = MAX_FACTS,
    deadline: float | None = None,
) -> dict[str, Any]:
    """A JSON-ready countermodel: ``domain``, ``facts``, ``equalities``, ``truncated``.

    Deterministic for a given model: names sort, anonymous elements keep Z3's order.
    ``deadline`` (``time.monotonic()``): past it, what is rendered so far is returned.
    """
    universe: list[z3.ExprRef] = list(model.get_universe(sort) or [])
    denoted: list[list[str]] = [[] for _ in universe]
    # Z3 shares equal terms, so an element's AST id finds its slot (a scan per constant
    # made 4,000 constants cost 16 million comparisons)
    slots = {element.get_id(): i for i, element in enumerate(universe)}
    truncated = False
    for name in sorted(constants):
        if _past(deadline):
            truncated = True
            break
        value = model.eval(constants[name], model_completion=True)
        slot = slots.get(value.get_id())
        if slot is None:  # a constant the model left open: completion gave it an element
            universe.append(value)
            denoted.append([])
            slot = slots[value.get_id()] = len(universe) - 1
        denoted[slot].append(name)
    if first_order and not universe:  # nothing pinned the domain down, but it is never empty
        universe.append(model.eval(z3.FreshConst(sort, "elem"), model_completion=True))
        denoted.append([])

    taken = set(constants)
    fresh = (f"e{i}" for i in itertools.count(1) if f"e{i}" not in taken)
    order = sorted(range(len(universe)), key=lambda i: (not denoted[i], denoted[i][:1], i))
    labels = {i: denoted[i][0] if denoted[i] else next(fresh) for i in order}
    domain = [universe[i] for i in order]
    equalities = [f"{names[0]} = {other}" for names in denoted for other in names[1:]]

    facts: list[str] = []
    for (pred, arity), decl in sorted(predicates.items()):
        for args in itertools.product(range(len(domain)), repeat=arity):
            if truncated or len(facts) == max_facts or _past(deadline):
                truncated = True
                break
            holds = _holds(model, decl, [domain[i] for i in args])
            text = f"{pred}({', '.join(labels[order[i]] for i in args)})" if arity else pred
            facts.append(text if holds else f"¬{text}")
        if truncated:
            break
    return {
        "domain": [labels[i] for i in order],
        "facts": facts,
        "equalities": sorted(equalities),
        "truncated": truncated,
    }


def render_typed(
    model: z3.ModelRef,
    enc: Encoder,
    max_facts: int = MAX_FACTS,
    deadline: float | None = None,
) -> dict[str, Any]:
    """A typed model: every assignment (``blue_book = 4``, ``assigned(fred) = 3``) and the
    facts over finite sorts; the untyped part, if any, as :func:`render` gives it. Past
    ``deadline`` (``time.monotonic()``) what is rendered so far is returned, truncated."""
    untyped = {k: d for k, d in enc.predicates.items() if all(s == "U" for s in _sorts(enc, k))}
    plain = {n: c for n, c in enc.constants.items() if enc.constant_sorts[n] == "U"}
    out = render(model, enc.sort, plain, untyped, bool(plain or untyped), max_facts, deadline)
    assignments: list[str] = []
    for shown, term in enc.typed_entries():
        if deadline is not None and time.monotonic() > deadline:
            out["truncated"] = True
            break
        if len(assignments) == max_facts:
            out["truncated"] = True
            break
        assignments.append(f"{shown} = {model.eval(term, model_completion=True)}")
    facts: list[str] = out["facts"]
    for (pred, arity), decl in sorted(enc.predicates.items()):
        sorts = _sorts(enc, (pred, arity))
        if (pred, arity) in untyped:
            continue
        domains = [enc.members(s) for s in sorts]
        if any(d is None for d in domains):
            continue  # an integer or untyped argument: no finite table to list
        for args in itertools.product(*[d for d in domains if d is not None]):
            if len(facts) >= max_facts:
                out["truncated"] = True
                break
            holds = _holds(model, decl, list(args))
            text = f"{pred}({', '.join(str(a) for a in args)})" if arity else pred
            facts.append(text if holds else f"¬{text}")
    out["assignments"] = assignments
    return out


def _sorts(enc: Encoder, key: tuple[str, int]) -> tuple[str, ...]:
    return enc.typing.predicates.get(key[0], ("U",) * key[1])
