"""Text → AST: the grammar, the parser, lenient repairs, and printers back to text."""

from logicsvc.syntax.ast import Formula, Problem, Program, Statement
from logicsvc.syntax.parser import ParsedProgram, parse_formula, parse_program
from logicsvc.syntax.printer import problem_to_dsl, to_dsl
from logicsvc.syntax.tptp import formula_to_tptp, problem_to_tptp

__all__ = [
    "Formula",
    "ParsedProgram",
    "Problem",
    "Program",
    "Statement",
    "formula_to_tptp",
    "parse_formula",
    "parse_program",
    "problem_to_dsl",
    "problem_to_tptp",
    "to_dsl",
]
