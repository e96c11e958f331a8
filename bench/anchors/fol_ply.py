"""Logic-LM's rewriting of an accepted FOLIO formula into NLTK's logic syntax, with PLY.

The chart parse (:mod:`.fol_chart`) only accepts a formula and sorts its symbols; the
structure that reaches Prover9 comes from a second parser, an LALR parser that PLY
builds for each formula, since its token patterns are that formula's own variables,
predicates and constants. Building the lexer and the LALR tables per formula is part of
what Logic-LM's stage costs (about a third of its FOLIO time), so we build them per
formula too.

All five connectives share one left-associative precedence level, below negation:
``A ∧ B → C`` is ``(A ∧ B) → C`` but ``A → B ∧ C`` is ``(A → B) ∧ C``; exclusive or is
spelled out with ``&``, ``|`` and ``not``. A syntax error yields ``None``, which
Logic-LM only notices when NLTK is handed it (an "execution error").
"""

from __future__ import annotations

from typing import Any

from ply import lex, yacc

from bench.anchors.fol_chart import Reading

_BINARY = {
    "∨": "({0}) | ({1})",
    "∧": "({0}) & ({1})",
    "→": "({0}) -> ({1})",
    "↔": "({0}) <-> ({1})",
    "⊕": "(({0}) & not ({1})) | (not ({0}) & ({1}))",
}


def _alternatives(names: frozenset[str], fallback: str) -> str:
    # Longest first, so that no name's prefix wins the match (Logic-LM's order is the
    # set's, which changes with the hash seed).
    return "|".join(sorted(names, key=lambda n: (-len(n), n))) or fallback


class _Rewriter:
    """The lexer and grammar PLY reads from this object's ``t_`` and ``p_`` members."""

    tokens = ("QUANT", "VAR", "NOT", "LPAREN", "RPAREN", "OP", "PRED", "COMMA", "CONST")
    precedence = (("left", "OP"), ("right", "NOT"))
    t_QUANT = r"∀|∃"
    t_NOT = r"¬"
    t_LPAREN = r"\("
    t_RPAREN = r"\)"
    t_OP = r"⊕|∨|∧|→|↔"
    t_COMMA = r","
    t_ignore = " \t"

    def __init__(self, reading: Reading) -> None:
        self.t_VAR = _alternatives(reading.variables, "x")
        self.t_PRED = _alternatives(reading.predicates, "PRED")
        self.t_CONST = _alternatives(reading.constants, "0")
        self.lexer = lex.lex(module=self)
        self.parser = yacc.yacc(
            module=self,
            start="expr",
            write_tables=False,
            debug=False,
            errorlog=yacc.NullLogger(),
        )

    def t_error(self, t: Any) -> None:
        t.lexer.skip(1)  # an unknown character is dropped, as in Logic-LM

    def p_expr_formula(self, p: Any) -> None:
        """expr : F"""
        p[0] = p[1]

    def p_expr_quantified(self, p: Any) -> None:
        """expr : QUANT VAR expr"""
        p[0] = f"{'all' if p[1] == '∀' else 'some'} {p[2]}.({p[3]})"

    def p_expr_negated(self, p: Any) -> None:
        """expr : NOT expr"""
        p[0] = f"not ({p[2]})"

    def p_formula_negated(self, p: Any) -> None:
        """F : NOT LPAREN F RPAREN"""
        p[0] = f"not ({p[3]})"

    def p_formula_parenthesised(self, p: Any) -> None:
        """F : LPAREN F RPAREN"""
        p[0] = p[2]

    def p_formula_variable(self, p: Any) -> None:
        """F : VAR"""
        p[0] = p[1]

    def p_formula_binary(self, p: Any) -> None:
        """F : F OP F"""
        p[0] = _BINARY[p[2]].format(p[1], p[3])

    def p_formula_literal(self, p: Any) -> None:
        """F : L"""
        p[0] = p[1]

    def p_literal_negated(self, p: Any) -> None:
        """L : NOT PRED LPAREN TERMS RPAREN"""
        p[0] = f"not {p[2]}({p[4]})"

    def p_literal(self, p: Any) -> None:
        """L : PRED LPAREN TERMS RPAREN"""
        p[0] = f"{p[1]}({p[3]})"

    def p_terms_one(self, p: Any) -> None:
        """TERMS : TERM"""
        p[0] = p[1]

    def p_terms_more(self, p: Any) -> None:
        """TERMS : TERM COMMA TERMS"""
        p[0] = f"{p[1]}, {p[3]}"

    def p_term(self, p: Any) -> None:
        """TERM : CONST
        | VAR"""
        p[0] = p[1]

    def p_error(self, p: Any) -> None:
        pass  # as Logic-LM: PLY recovers as it can; the result may be None


def rewrite(reading: Reading) -> str | None:
    """The formula in NLTK's syntax (``all x.(…)``, ``&``, ``->``, ``not``), or ``None``."""
    rewriter = _Rewriter(reading)
    result: str | None = rewriter.parser.parse(reading.text, lexer=rewriter.lexer)
    return result
