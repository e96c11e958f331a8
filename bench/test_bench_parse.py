"""Issue 18, parsing: text → checked problem for the 267 ProofWriter and 86 FOLIO GPT-4
programs of dev-A (Logic-LM's recordings), against the whole-text parse in the same run.

The reference is the path every program took before the line reader: the whole text
through the program parser (Lark LALR, a tree, then the AST), the same checks after it.
Each round starts with an empty line memo, as one ``eval programs`` process does.

Run: ``pytest bench/test_bench_parse.py --benchmark-only``; figures in BENCHMARKS.md.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from logicsvc.errors import LogicsvcError
from logicsvc.load import load_problem
from logicsvc.syntax import grammar, lines, parser
from logicsvc.translate.formats import to_dsl_program
from tests import tree_builder as builder

LOGICLM = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "llm_programs" / "logiclm"
FILES = {"proofwriter": "ProofWriter_dev-A_gpt-4.json", "folio": "FOLIO_dev-A_gpt-4.json"}


def _programs(name: str) -> list[str]:
    path = LOGICLM / FILES[name]
    if not path.is_file():
        pytest.skip(f"{path} is not beside the repository")
    out = []
    for item in json.loads(path.read_text(encoding="utf-8")):
        try:
            out.append(to_dsl_program(item["raw_logic_programs"][0], lenient=True)[1])
        except LogicsvcError:
            out.append(item["raw_logic_programs"][0])  # fails to load in both runs alike
    return out


def _load_all(texts: list[str]) -> int:
    lines.forget()
    loaded = 0
    for text in texts:
        try:
            load_problem(text, lenient=True)
            loaded += 1
        except LogicsvcError:
            pass
    return loaded


@pytest.fixture(autouse=True)
def _parsers_built() -> None:
    grammar.parser()
    grammar.line_parser()
    grammar.ast_parser()
    grammar.ast_line_parser()


@pytest.mark.parametrize("name", list(FILES))
def test_line_reader(benchmark, name: str) -> None:  # type: ignore[no-untyped-def]
    texts = _programs(name)
    benchmark.group = f"parse+check {name}"
    loaded = benchmark.pedantic(_load_all, args=(texts,), rounds=7, warmup_rounds=1)
    assert loaded >= len(texts) - 5


@pytest.mark.parametrize("name", list(FILES))
def test_reference_whole_text(benchmark, name: str, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    texts = _programs(name)
    monkeypatch.setattr(parser, "read_program", lambda *_, **__: None)
    benchmark.group = f"parse+check {name}"
    loaded = benchmark.pedantic(_load_all, args=(texts,), rounds=7, warmup_rounds=1)
    assert loaded >= len(texts) - 5


@pytest.mark.parametrize("name", list(FILES))
def test_ratio_alternating(benchmark, name: str, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """Both paths in alternating rounds (a loaded machine drifts between two tests):
    the medians and their ratio land in ``extra_info`` and on stdout (``-s``)."""
    texts = _programs(name)
    real = parser.read_program
    times: dict[str, list[float]] = {"whole_text": [], "line_reader": []}

    def whole_text(*_: object, **__: object) -> None:
        return None

    def timed(kind: str, read: Callable[..., object]) -> None:
        monkeypatch.setattr(parser, "read_program", read)
        start = time.perf_counter()
        _load_all(texts)
        times[kind].append(time.perf_counter() - start)

    def pair() -> None:
        order = [("whole_text", whole_text), ("line_reader", real)]
        if len(times["whole_text"]) % 2:
            order.reverse()
        for kind, read in order:
            timed(kind, read)

    benchmark.group = f"alternating pair {name}"
    benchmark.pedantic(pair, rounds=9, warmup_rounds=1)
    reference, new = (statistics.median(times[k][1:]) for k in ("whole_text", "line_reader"))
    benchmark.extra_info.update(whole_text_s=reference, line_reader_s=new, ratio=reference / new)
    print(
        f"\n{name}: whole text {reference:.3f} s, line reader {new:.3f} s, {reference / new:.2f}x"
    )


_BUILD: dict[str, Callable[..., Any]] = {
    grammar.START_PROGRAM: builder.build_program,
    grammar.START_FORMULA: builder.build_formula,
    grammar.START_STATEMENT: builder.build_statement,
    grammar.START_DECLARATION: builder.build_decl,
}


class _TreeThenBuilder:
    """The reference for the assembled AST: Lark's tree, then :mod:`builder`'s walk
    (``parse_interactive`` is the line reader's way in, on the line it sets)."""

    def __init__(self, tree_parser: Any) -> None:
        self.tree_parser = tree_parser

    def parse(self, text: str, start: str) -> Any:
        return _BUILD[start](self.tree_parser.parse(text, start=start))

    def parse_interactive(self, text: str, start: str) -> Any:
        interactive = self.tree_parser.parse_interactive(text, start=start)
        resume = interactive.resume_parse
        interactive.resume_parse = lambda: _BUILD[start](resume())
        return interactive


@pytest.mark.parametrize("name", list(FILES))
def test_assembled_vs_tree_alternating(  # type: ignore[no-untyped-def]
    benchmark, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 18, round 2: the AST built during the parse against the tree + builder, both
    through the line reader and the same checks, alternating rounds; CPU medians on stdout."""
    texts = _programs(name)
    reference_parsers = (grammar.parser(), grammar.line_parser())
    parsers = {
        "tree_builder": tuple(_TreeThenBuilder(p) for p in reference_parsers),
        "assembled": (grammar.ast_parser(), grammar.ast_line_parser()),
    }
    times: dict[str, list[float]] = {kind: [] for kind in parsers}

    def timed(kind: str) -> None:
        whole, line = parsers[kind]
        monkeypatch.setattr(grammar, "ast_parser", lambda: whole)
        monkeypatch.setattr(grammar, "ast_line_parser", lambda: line)
        start = time.process_time()  # CPU: steadier than wall on the shared machine
        _load_all(texts)
        times[kind].append(time.process_time() - start)

    def pair() -> None:
        order = list(parsers)
        if len(times["assembled"]) % 2:
            order.reverse()
        for kind in order:
            timed(kind)

    benchmark.group = f"assembled vs tree {name}"
    benchmark.pedantic(pair, rounds=9, warmup_rounds=1)
    reference, new = (statistics.median(times[k][1:]) for k in ("tree_builder", "assembled"))
    benchmark.extra_info.update(tree_builder_s=reference, assembled_s=new, ratio=reference / new)
    ratio = reference / new
    print(f"\n{name}, CPU: tree + builder {reference:.3f} s, assembled {new:.3f} s, {ratio:.2f}x")
