"""AST → checked problem: the semantic checks the grammar cannot express."""

from logicsvc.checks.semantic import CheckedProblem, check_formulas, check_program

__all__ = ["CheckedProblem", "check_formulas", "check_program"]
