"""The lemma table answers exactly as lemminflect does (issue 18: the offline translators'
start-up without lemminflect's table read or numpy).

Every word of lemminflect's vocabulary, every word of the offline datasets (unknown words
too, whose lemma lemminflect's rules guess), and the offline translators' programs on
every dev item, with the table and without it; then the file itself: written once in a
private folder, reused, and replaced when it is not whole or not ours."""

from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import lemminflect
import pytest
from lemminflect import config

from logicsvc.syntax import lark_cache
from logicsvc.translate import lemmas
from tests.conftest import REPO
from tests.threads import in_new_thread

UPOS = ("NOUN", "VERB", "ADJ")


@pytest.fixture
def table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh cache folder, and the module's memory of its table forgotten around the test."""
    monkeypatch.setenv("LOGICSVC_PARSER_CACHE", str(tmp_path / "cache"))
    lemmas._table.cache_clear()
    yield tmp_path / "cache"
    lemmas._table.cache_clear()


def _stored(folder: Path) -> list[Path]:
    return sorted(folder.glob("lemminflect-lemmas-*.sqlite"))


def _vocabulary() -> list[str]:
    with gzip.open(config.lemma_lu_fn, "rt", encoding="utf-8") as lines:
        words = {line.split(",", 1)[0] for line in lines}
    with open(config.lemma_overrides_fn, encoding="utf-8") as lines:
        words |= {line.split(",", 1)[0] for line in lines if line.strip()[:1] not in ("", "#")}
    return sorted(words)


def _differences(words: list[str], *, oov: bool) -> list[str]:
    wrong = [w for w in words if lemmas.all_lemmas(w) != lemminflect.getAllLemmas(w)]
    for upos in UPOS if oov else ():
        wrong += [f"{w}/{upos}" for w in words if lemmas.lemma(w, upos) != _get_lemma(w, upos)]
    return wrong


def _get_lemma(word: str, upos: str) -> tuple[str, ...]:
    return tuple(lemminflect.getLemma(word, upos=upos, lemmatize_oov=True))


def test_every_word_of_the_vocabulary_reads_as_lemminflect_reads_it(table: Path) -> None:
    words = _vocabulary()
    assert len(words) > 70_000
    assert _differences(words, oov=False) == []
    assert len(_stored(table)) == 1  # the answers did come from the table
    # a word class a word lacks goes to lemminflect's rules; every 7th word, every style
    sample = words[::7]
    styled = [*sample, *(w.capitalize() for w in sample), *(w.upper() for w in sample)]
    assert _differences(styled, oov=True) == []


def test_every_word_of_the_offline_datasets_reads_as_lemminflect_reads_it(
    shared_datasets: Path, table: Path
) -> None:
    texts = [
        (shared_datasets / name).read_text(encoding="utf-8")
        for name in (
            "proofwriter/logiclm/dev-A.json",
            "prontoqa/dev-A.json",
            "logical_deduction/dev-A.json",
            "folio/folio-validation-A.jsonl",
            "folio/folio-train.jsonl",
        )
    ]
    words = sorted({w for text in texts for w in re.findall(r"[A-Za-z][\w'-]*", text)})
    words += sorted({w.lower() for w in words} - set(words))
    unknown = [w for w in words if not lemminflect.getAllLemmas(w)]
    assert "wumpuses" in unknown and len(unknown) > 500  # the rules' guesses are covered
    assert _differences(words, oov=True) == []


DUMP = """
import json, sys
from pathlib import Path
from logicsvc.errors import LogicsvcError
from logicsvc.evaluation.items import read_nl_items, split_choice_text
from logicsvc.reasoning import translate_choice
from logicsvc.translate import get_translator
from logicsvc.translate.formats.logical_deduction import question_kind
rules, out = get_translator("rules"), []
for name, choice in json.loads(sys.argv[1]):
    for item in read_nl_items(Path(name), choice=choice):
        try:
            if choice:
                question, options = split_choice_text(item.conclusion)
                translation, _ = translate_choice(
                    item.premises, options, question_kind(question), rules
                )
            else:
                translation = rules.translate(list(item.premises), item.conclusion)
            out.append([translation.program, list(translation.warnings)])
        except LogicsvcError as exc:
            out.append(exc.to_dict())
print(json.dumps({"programs": out, "numpy": "numpy" in sys.modules}))
"""


def _translated(files: list[tuple[str, bool]], cache: str) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOGICSVC_")}
    done = subprocess.run(
        [sys.executable, "-c", DUMP, json.dumps(files)],
        env={**env, "LOGICSVC_PARSER_CACHE": cache},
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    report: dict[str, object] = json.loads(done.stdout)
    return report


def test_the_offline_translators_write_the_same_programs_with_the_table(
    shared_datasets: Path, tmp_path: Path
) -> None:
    """Every dev item of ProofWriter, ProntoQA and LogicalDeduction translated through the
    table and through lemminflect alone (no cache folder): the same DSL, warnings, errors."""
    files = [
        (str(shared_datasets / "proofwriter" / "logiclm" / "dev-A.json"), False),
        (str(shared_datasets / "prontoqa" / "dev-A.json"), False),
        (str(shared_datasets / "logical_deduction" / "dev-A.json"), True),
    ]
    folder = str(tmp_path / "cache")
    _translated(files[:1], folder)  # writes the table
    with_table = _translated(files, folder)
    without = _translated(files, "off")
    assert with_table["programs"] == without["programs"]
    assert len(with_table["programs"]) == 267 + 269 + 136  # type: ignore[arg-type]
    # ProofWriter and LogicalDeduction need no guess: numpy stays out with the table
    assert _translated([files[0], files[2]], folder)["numpy"] is False


def test_the_table_is_written_once_and_then_only_read(table: Path) -> None:
    assert lemmas.all_lemmas("men") == {"NOUN": ("man",)}
    (stored,) = _stored(table)
    assert stored.stat().st_mode & 0o077 == 0 and table.stat().st_mode & 0o077 == 0
    written = stored.stat().st_mtime_ns
    lemmas._table.cache_clear()
    assert lemmas.lemma("sees", "VERB") == ("see",)
    assert _stored(table) == [stored] and stored.stat().st_mtime_ns == written


def test_other_threads_read_the_table_too(table: Path) -> None:
    """The table opened on one thread answers on another (a service translating in
    threads), rather than counting as failed and sending every word to lemminflect."""
    assert lemmas.all_lemmas("men") == {"NOUN": ("man",)}
    found = in_new_thread(lambda: lemmas.lemma("sees", "VERB"))
    assert found == ("see",)
    opened = lemmas._table()
    assert opened is not None and opened.get("men") == {"NOUN": ("man",)}


@pytest.mark.parametrize(
    "damage", ["cut in the header", "cut in half", "foreign", "writable by others"]
)
def test_a_table_that_is_not_whole_or_not_ours_is_written_again(table: Path, damage: str) -> None:
    lemmas.all_lemmas("men")
    (stored,) = _stored(table)
    size = stored.stat().st_size
    if damage.startswith("cut"):
        whole = stored.read_bytes()
        stored.write_bytes(whole[: 5000 if damage.endswith("header") else len(whole) // 2])
    elif damage == "foreign":
        stored.write_bytes(b"not a table" * 100)
    else:
        stored.chmod(0o666)
    lemmas._table.cache_clear()
    assert lemmas.all_lemmas("mice") == {"NOUN": ("mouse",)}
    (again,) = _stored(table)
    assert again.stat().st_size == size and again.stat().st_mode & 0o077 == 0


def test_without_a_cache_folder_lemminflect_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOGICSVC_PARSER_CACHE", "off")
    lemmas._table.cache_clear()
    try:
        assert lemmas._table() is None
        assert lemmas.all_lemmas("men") == {"NOUN": ("man",)}
        assert lemmas.lemma("wumpuses", "NOUN") == _get_lemma("wumpuses", "NOUN")
    finally:
        lemmas._table.cache_clear()


def test_writing_a_table_prunes_the_stale_ones_of_other_versions(table: Path) -> None:
    """An older lemminflect's table, unused for a day, goes when a new one is written; a
    grammar's file beside it stays (each name prunes its own)."""
    table.mkdir(mode=0o700)
    old = table / "lemminflect-lemmas-0123456789abcdef0123456789abcdef.sqlite"
    grammar = table / "controlled_english-lalr-0123456789abcdef0123456789abcdef.pickle"
    for stale in (old, grammar):
        stale.write_bytes(b"stale")
        day_ago = stale.stat().st_mtime - lark_cache.STALE_AFTER_S - 60
        os.utime(stale, (day_ago, day_ago))
    lemmas.all_lemmas("men")
    (stored,) = _stored(table)
    assert stored != old and not old.exists() and grammar.exists()
