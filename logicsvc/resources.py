"""Package data (grammars, prompts), found the same way installed or in a checkout.

The wheel carries ``grammars/`` and ``prompts/`` under ``logicsvc/_resources``;
an editable install or a plain checkout reads them from the repository root.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def resource_dir(kind: str) -> Path:
    """The folder holding ``kind`` ("grammars" or "prompts")."""
    for candidate in (_PACKAGE_DIR / "_resources" / kind, _PACKAGE_DIR.parent / kind):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"logicsvc resource folder {kind!r} is missing from this install")


def read_grammar(name: str = "fol") -> str:
    """The text of ``grammars/<name>.lark``."""
    return (resource_dir("grammars") / f"{name}.lark").read_text(encoding="utf-8")
