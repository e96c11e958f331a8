"""AST → checked problem: the semantic checks the grammar cannot express."""

from logicsvc.checks.depth import MAX_DEPTH, check_depth
from logicsvc.checks.semantic import (
    CheckedChoice,
    CheckedProblem,
    check_formulas,
    check_program,
    check_task,
)

__all__ = [
    "MAX_DEPTH",
    "CheckedChoice",
    "CheckedProblem",
    "check_depth",
    "check_formulas",
    "check_program",
    "check_task",
]
