"""The LALR tables kept on disk: loaded parsers parse and report errors as built ones
do, a changed grammar gets a file of its own, and only a private folder is used."""

from __future__ import annotations

import os
from pathlib import Path

import lark
import pytest

from logicsvc.syntax import grammar

PROGRAM = "Premises:\nall x (Big(x) → ¬Small(x)) ::: gloss\nBig(bob)\nConclusion:\n¬Small(bob)\n"
BROKEN = "Premises:\nall x (Big(x) → ) ::: gloss\nConclusion:\nBig(bob)\n"
START = [grammar.START_PROGRAM, grammar.START_FORMULA]


def _accepted(parser: lark.Lark) -> set[str]:
    with pytest.raises(lark.exceptions.UnexpectedToken) as caught:
        parser.parse(BROKEN, start=grammar.START_PROGRAM)
    return set(caught.value.interactive_parser.accepts())


def test_a_stored_parser_is_the_built_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOGICSVC_PARSER_CACHE", str(tmp_path / "cache"))
    built = grammar._build(START)
    (stored,) = (tmp_path / "cache").iterdir()
    loaded = grammar._build(START)
    assert loaded is not built
    assert loaded.parse(PROGRAM, start=grammar.START_PROGRAM) == built.parse(
        PROGRAM, start=grammar.START_PROGRAM
    )
    assert _accepted(loaded) == _accepted(built) and "NAME" in _accepted(loaded)
    assert list((tmp_path / "cache").iterdir()) == [stored]  # read, not written again


def test_a_changed_grammar_gets_its_own_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOGICSVC_PARSER_CACHE", str(tmp_path))
    grammar._build(START)
    original = grammar.read_grammar("fol")
    monkeypatch.setattr(
        grammar, "read_grammar", lambda _: original.replace('NOT_WORD: "not"', 'NOT_WORD: "non"')
    )
    changed = grammar._build(START)
    assert len(list(tmp_path.iterdir())) == 2
    tree = changed.parse("non P(a)", start=grammar.START_FORMULA)
    assert tree.data == "not_op"


def test_a_damaged_file_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOGICSVC_PARSER_CACHE", str(tmp_path))
    grammar._build(START)
    (stored,) = tmp_path.iterdir()
    stored.write_bytes(stored.read_bytes()[:100])
    rebuilt = grammar._build(START)
    assert rebuilt.parse(PROGRAM, start=grammar.START_PROGRAM).data == "start"
    assert stored.stat().st_size > 100


def test_off_or_a_shared_folder_stores_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOGICSVC_PARSER_CACHE", "off")
    assert grammar._cache_file("grammar", {}) is None
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o777)
    monkeypatch.setenv("LOGICSVC_PARSER_CACHE", str(shared))
    assert grammar._cache_file("grammar", {}) is None
    grammar._build(START)
    assert list(shared.iterdir()) == []
