"""The LALR tables kept on disk: loaded parsers parse and report errors as built ones
do, a changed grammar gets a file of its own, only a private folder is used, and files
no version has used for a day are pruned.  Every Lark grammar of the package goes
through the same cache (:mod:`logicsvc.syntax.lark_cache`)."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import lark
import pytest

from logicsvc import resources
from logicsvc.load import load_formulas
from logicsvc.syntax import grammar, lark_cache, prover9, tptp_reader
from logicsvc.syntax.tptp import problem_to_tptp
from logicsvc.translate import controlled, ordering
from logicsvc.translate.base import split_sentences
from logicsvc.translate.formats import arlsat_lines

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
    assert lark_cache.cache_file("grammar", "text", {}) is None
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o777)
    monkeypatch.setenv("LOGICSVC_PARSER_CACHE", str(shared))
    assert lark_cache.cache_file("grammar", "text", {}) is None
    grammar._build(START)
    assert list(shared.iterdir()) == []


# ---- every other Lark grammar of the package, through the same cache ----------------------


def _contexts(path: Path, count: int) -> list[str]:
    return [item["context"] for item in json.loads(path.read_text(encoding="utf-8"))[:count]]


def _controlled_english(datasets: Path) -> list[tuple[str, str | None]]:
    """ProntoQA's sentences, lower-cased as the rules translator reads them."""
    texts = _contexts(datasets / "prontoqa" / "dev-A.json", 3)
    return [(sentence.lower(), None) for sentence in split_sentences(texts)]


def _ordering(datasets: Path) -> list[tuple[str, str | None]]:
    texts = _contexts(datasets / "logical_deduction" / "dev-A.json", 3)
    return [(sentence.lower(), None) for sentence in split_sentences(texts)]


def _arlsat(datasets: Path) -> list[tuple[str, str | None]]:
    """The statement lines of Logic-LM's recorded AR-LSAT programs."""
    file = datasets / "llm_programs" / "logiclm" / "AR-LSAT_dev-A_gpt-4.json"
    programs = [item["raw_logic_programs"][0] for item in json.loads(file.read_text())[:3]]
    return [
        (line, None)
        for program in programs
        for line in program.split("\n")
        if line.strip() and not line.strip().startswith("#")
    ]


def _prover9(datasets: Path) -> list[tuple[str, str | None]]:
    """LINC's recorded NLTK formulas, read as Prover9 formulas."""
    file = datasets / "llm_programs" / "linc" / "folio_gpt-4_dev-A.json"
    samples = [item["samples"][0] for item in json.loads(file.read_text())[:3]]
    return [
        (line.removeprefix("FOL:").strip(), "formula")
        for sample in samples
        for line in sample.split("\n")
        if line.startswith("FOL:")
    ]


def _tptp(datasets: Path) -> list[tuple[str, str | None]]:
    """FOLIO's gold programs exported to TPTP (and one cut short: an error)."""
    lines = (datasets / "folio" / "folio-validation-A.jsonl").read_text().splitlines()[:4]
    items = [json.loads(line) for line in lines]
    texts = [
        problem_to_tptp(
            load_formulas(item["premises-FOL"], item["conclusion-FOL"], lenient=True).problem
        )
        for item in items
    ]
    return [(text, None) for text in [*texts, texts[0][: len(texts[0]) // 2]]]


Samples = Callable[[Path], list[tuple[str, str | None]]]
USERS: dict[str, tuple[ModuleType, Samples]] = {
    "controlled_english": (controlled, _controlled_english),
    "ordering": (ordering, _ordering),
    "arlsat": (arlsat_lines, _arlsat),
    "prover9": (prover9, _prover9),
    "tptp": (tptp_reader, _tptp),
}


def _parser_of(module: ModuleType) -> Any:
    return module._parser


@pytest.fixture
def fresh_parsers() -> Iterator[None]:
    """Each module builds its parser once per process: forget it before and after."""
    for module, _ in USERS.values():
        _parser_of(module).cache_clear()
    yield
    for module, _ in USERS.values():
        _parser_of(module).cache_clear()


def _again(module: ModuleType) -> lark.Lark:
    """The parser a new process would get."""
    _parser_of(module).cache_clear()
    parser: lark.Lark = _parser_of(module)()
    return parser


def _outcome(parser: lark.Lark, text: str, start: str | None) -> tuple[object, ...]:
    """The tree with every subtree's position, or the error with where and what it expected."""
    try:
        tree = parser.parse(text, start=start)
    except lark.exceptions.UnexpectedInput as exc:
        expected = getattr(exc, "expected", None) or getattr(exc, "allowed", None) or ()
        return ("error", type(exc).__name__, exc.line, exc.column, sorted(expected))
    spans = [
        (t.data, t.meta.line, t.meta.column, t.meta.end_line, t.meta.end_column)
        for t in tree.iter_subtrees()
        if not t.meta.empty
    ]
    return ("tree", tree, spans)


@pytest.mark.parametrize("name", USERS)
@pytest.mark.usefixtures("fresh_parsers")
def test_every_grammar_is_loaded_as_it_was_built(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shared_datasets: Path
) -> None:
    module, samples = USERS[name]
    monkeypatch.setenv("LOGICSVC_PARSER_CACHE", str(tmp_path))
    built = _parser_of(module)()
    (stored,) = tmp_path.iterdir()
    assert stored.name.startswith(f"{name}-lalr-") and stored.suffix == ".pickle"
    written = stored.stat().st_mtime_ns
    loaded = _again(module)
    assert loaded is not built
    assert list(tmp_path.iterdir()) == [stored] and stored.stat().st_mtime_ns == written
    inputs = samples(shared_datasets)
    outcomes = [_outcome(built, text, start) for text, start in inputs]
    assert sum(outcome[0] == "tree" for outcome in outcomes) >= len(outcomes) / 2
    assert [_outcome(loaded, text, start) for text, start in inputs] == outcomes


@pytest.mark.parametrize("name", USERS)
@pytest.mark.usefixtures("fresh_parsers")
def test_a_changed_grammar_text_gets_a_new_file(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shared_datasets: Path
) -> None:
    module, samples = USERS[name]
    monkeypatch.setenv("LOGICSVC_PARSER_CACHE", str(tmp_path))
    before = _parser_of(module)()
    read = resources.read_grammar

    def changed(grammar_name: str) -> str:
        return read(grammar_name) + "\n// a comment: another text, the same language\n"

    monkeypatch.setattr(resources, "read_grammar", changed)  # read in the function
    monkeypatch.setattr(module, "read_grammar", changed, raising=False)  # imported by name
    after = _again(module)
    files = sorted(tmp_path.iterdir())
    assert len(files) == 2 and all(f.name.startswith(f"{name}-lalr-") for f in files)
    text, start = samples(shared_datasets)[0]
    assert _outcome(after, text, start) == _outcome(before, text, start)


@pytest.mark.parametrize("damage", [lambda data: data[:100], lambda data: b"not a pickle"])
@pytest.mark.parametrize("name", USERS)
@pytest.mark.usefixtures("fresh_parsers")
def test_a_corrupt_file_is_rebuilt(
    name: str,
    damage: Callable[[bytes], bytes],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    shared_datasets: Path,
) -> None:
    module, samples = USERS[name]
    monkeypatch.setenv("LOGICSVC_PARSER_CACHE", str(tmp_path))
    built = _parser_of(module)()
    (stored,) = tmp_path.iterdir()
    whole = stored.read_bytes()
    stored.write_bytes(damage(whole))
    rebuilt = _again(module)
    assert stored.read_bytes() != damage(whole)  # written again, whole
    repaired = stored.stat().st_mtime_ns
    _again(module)
    assert stored.stat().st_mtime_ns == repaired  # and loaded from then on
    inputs = samples(shared_datasets)[:5]
    assert [_outcome(rebuilt, t, s) for t, s in inputs] == [
        _outcome(built, t, s) for t, s in inputs
    ]


@pytest.mark.parametrize("name", USERS)
@pytest.mark.usefixtures("fresh_parsers")
def test_an_unusable_or_unwritable_cache_still_parses(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shared_datasets: Path
) -> None:
    module, samples = USERS[name]
    text, start = samples(shared_datasets)[0]
    monkeypatch.setenv("LOGICSVC_PARSER_CACHE", "off")
    reference = _outcome(_parser_of(module)(), text, start)
    # a folder that cannot be made (a file stands where it would go)
    (tmp_path / "file").write_text("not a folder")
    monkeypatch.setenv("LOGICSVC_PARSER_CACHE", str(tmp_path / "file" / "cache"))
    assert _outcome(_again(module), text, start) == reference
    # a folder where nothing can be written, then one where the rename fails: no leftovers
    folder = tmp_path / "cache"
    monkeypatch.setenv("LOGICSVC_PARSER_CACHE", str(folder))

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError("read-only")

    with monkeypatch.context() as patch:
        patch.setattr(lark_cache.tempfile, "NamedTemporaryFile", refuse)
        assert _outcome(_again(module), text, start) == reference
    with monkeypatch.context() as patch:
        patch.setattr(lark_cache.os, "replace", refuse)
        assert _outcome(_again(module), text, start) == reference
    assert list(folder.iterdir()) == []


def _age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


@pytest.mark.usefixtures("fresh_parsers")
def test_writing_a_file_prunes_that_grammars_files_unused_for_a_day(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOGICSVC_PARSER_CACHE", str(tmp_path))
    day = lark_cache.STALE_AFTER_S
    ages = {
        "controlled_english-lalr-0123.pickle": day + 60,  # another version, unused: goes
        "controlled_english-lalr-4567.pickle": day - 3600,  # used within the day: stays
        "controlled_english-lalr-tmpx1y2.tmp": day + 60,  # a killed writer's leftover: goes
        "controlled_english-lalr-notes.txt": day + 60,  # not a table: stays
        "ordering-lalr-0123.pickle": day + 60,  # another grammar: its own writes prune it
    }
    for file, age in ages.items():
        (tmp_path / file).write_bytes(b"tables")
        _age(tmp_path / file, age)
    controlled._parser()
    left = {path.name for path in tmp_path.iterdir()}
    (new,) = {name for name in left if name not in ages}
    assert new.startswith("controlled_english-lalr-")
    assert left - {new} == {
        "controlled_english-lalr-4567.pickle",
        "controlled_english-lalr-notes.txt",
        "ordering-lalr-0123.pickle",
    }


@pytest.mark.usefixtures("fresh_parsers")
def test_a_load_marks_its_file_used_at_most_twice_a_day(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOGICSVC_PARSER_CACHE", str(tmp_path))
    controlled._parser()
    (stored,) = tmp_path.iterdir()
    _age(stored, lark_cache.MARK_EVERY_S + 60)
    _again(controlled)
    assert time.time() - stored.stat().st_mtime < 60  # marked: a prune now keeps it
    _age(stored, 3600)
    marked = stored.stat().st_mtime_ns
    _again(controlled)
    assert stored.stat().st_mtime_ns == marked  # not written on every load
    # so a file loaded within the last half day survives another version's write
    _age(stored, lark_cache.STALE_AFTER_S + 60)
    lark_cache.prune(tmp_path, "controlled_english", keep=tmp_path / "other.pickle")
    assert list(tmp_path.iterdir()) == []


TINY_GRAMMAR = 'start: "a"+\n'


def test_without_a_home_nothing_is_cached_and_the_parser_still_works(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """HOME unset under a UID with no passwd entry (``docker --user``): ``Path.home()``
    raises RuntimeError, which must cost the cache, not the parse."""

    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.delenv("LOGICSVC_PARSER_CACHE", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    assert lark_cache.cache_file("tiny", TINY_GRAMMAR, {"parser": "lalr"}) is None
    built = lark_cache.load_or_build("tiny", TINY_GRAMMAR, {"parser": "lalr"})
    assert built.parse("aaa").data == "start"


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="file owners and modes are POSIX")
def test_a_file_others_may_write_is_not_loaded_but_written_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOGICSVC_PARSER_CACHE", str(tmp_path))
    lark_cache.load_or_build("tiny", TINY_GRAMMAR, {"parser": "lalr"})
    (stored,) = tmp_path.iterdir()
    stored.chmod(0o666)  # a valid file, but anyone could have swapped in their own pickle
    before = stored.stat().st_ino
    again = lark_cache.load_or_build("tiny", TINY_GRAMMAR, {"parser": "lalr"})
    assert again.parse("a").data == "start"
    assert stored.stat().st_ino != before and stored.stat().st_mode & 0o022 == 0  # replaced
