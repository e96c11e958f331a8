"""The checks' sort inference, handed on to the encoder with what it was made for.

The checks infer sorts once per problem; without this the Z3 encoder inferred them again
(~12 ms of FOLIO's 84 GPT-4 programs a pass, issue 18). The typing travels on the checked
``Problem`` (``Problem.inferred``) and is taken only for the very objects it was inferred
over, so a problem copied or built otherwise infers afresh.
"""

from __future__ import annotations

from dataclasses import dataclass

from logicsvc.syntax.ast import Formula, PredicateDecl, Signature
from logicsvc.syntax.sorts import Typing, infer


@dataclass(frozen=True, slots=True, eq=False)
class Inferred:
    """One inference's typing with what it was made for: the checks infer once, and the
    encoder takes the typing from here instead of inferring again (~12 ms of FOLIO's 84
    GPT-4 programs a pass).

    ``formulas`` are the checks' output (elaborated) formulas; inferring over them gives
    the typing the checks inferred over the formulas as read (``tests/test_inferred.py``
    holds the two equal, dict order included, on every recorded program), so handing it
    on changes nothing the encoder declares.
    """

    formulas: tuple[Formula, ...]
    signature: Signature
    predicates: tuple[PredicateDecl, ...]
    typing: Typing

    def typing_for(
        self,
        formulas: tuple[Formula, ...],
        signature: Signature,
        predicates: tuple[PredicateDecl, ...],
    ) -> Typing | None:
        """The typing where asked for exactly the same objects, else ``None``: identity,
        not equality (equal formulas may differ in the sorts a quantifier carries)."""
        if (
            signature is not self.signature
            or predicates is not self.predicates
            or len(formulas) != len(self.formulas)
        ):
            return None
        if all(a is b for a, b in zip(formulas, self.formulas, strict=True)):
            return self.typing
        return None


def typing_of(
    formulas: tuple[Formula, ...],
    signature: Signature,
    predicates: tuple[PredicateDecl, ...],
    known: Inferred | None = None,
) -> Typing:
    """``known``'s typing where it was made for these very objects, else inferred now."""
    typing = None if known is None else known.typing_for(formulas, signature, predicates)
    if typing is not None:
        return typing
    return infer(formulas, signature, predicates).typing
