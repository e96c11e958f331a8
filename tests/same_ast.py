"""Comparing ASTs spans included (node equality ignores spans, on purpose)."""

from __future__ import annotations

import dataclasses


def same_with_spans(a: object, b: object, where: str = "program") -> None:
    """Assert ``a`` and ``b`` equal, every span included; the message says where not."""
    assert type(a) is type(b), f"{where}: {type(a).__name__} vs {type(b).__name__}"
    if dataclasses.is_dataclass(a):
        for field in dataclasses.fields(a):
            same_with_spans(getattr(a, field.name), getattr(b, field.name), f"{where}.{field.name}")
    elif isinstance(a, tuple):
        assert isinstance(b, tuple) and len(a) == len(b), where
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            same_with_spans(x, y, f"{where}[{index}]")
    else:
        assert a == b, f"{where}: {a!r} vs {b!r}"
