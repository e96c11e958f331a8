"""AST → checked problem: the semantic checks the grammar cannot express."""

from logicsvc.checks.depth import MAX_DEPTH, check_depth
from logicsvc.checks.semantic import CheckedProblem, check_formulas, check_program

__all__ = ["MAX_DEPTH", "CheckedProblem", "check_depth", "check_formulas", "check_program"]
