"""What the parser's fast paths are held to: the whole-text parse, and AST equality with
spans included (node equality ignores spans, on purpose)."""

from __future__ import annotations

import dataclasses

from logicsvc.syntax import parser


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


def whole_text(text: str, *, lenient: bool) -> parser.ParsedProgram:
    """What ``parse_program`` gives without the line reader: the whole text through Lark."""
    saved = parser.read_program
    parser.read_program = lambda *_, **__: None  # type: ignore[assignment]
    try:
        return parser.parse_program(text, lenient=lenient)
    finally:
        parser.read_program = saved
