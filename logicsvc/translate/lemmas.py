"""lemminflect's answers without lemminflect's start-up (issue 18).

lemminflect reads its whole lemma table (~64,000 lower-case words) from a gzipped CSV on
its first lookup, ~140 ms of CPU, and importing it imports numpy (~40 ms) for the rules
that guess an unknown word's lemma.  The offline translators look up a few dozen words an
item, so a one-item ``eval proofwriter`` spent more on reading the table than on the item.

Here the table is kept per user in an SQLite file, looked up one word at a time (``sqlite3``'s
import and the lookups: ~5 ms, no load), written once per lemminflect version by asking
lemminflect itself, through its public API, for every word of its vocabulary: a word's
entry *is* lemminflect's answer for it.  The file lives beside the LALR tables, under the
same rules (:mod:`logicsvc.syntax.lark_cache`: ``$LOGICSVC_PARSER_CACHE``, a private
folder, a digest of everything the answers depend on, stale files pruned).

What the table cannot answer still goes to lemminflect, imported then: a word not in
lemminflect's "lower" capitalisation style (``Bob``: its answers follow the word's
capitals), an unknown word's guessed lemma (numpy, then), and every word where no cache
folder is usable.
"""

from __future__ import annotations

import contextlib
import gc
import gzip
import hashlib
import importlib
import importlib.util
import json
import os
import sqlite3
import threading
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from types import ModuleType

from logicsvc.syntax.lark_cache import cache_file, mark_used, ours_alone, store

# the word classes lemminflect's dictionary knows (Lemmatizer.DICT_UPOS_TYPES), less PROPN,
# which looks a capitalised word up: those go to lemminflect
_TABLE_UPOS = frozenset({"NOUN", "VERB", "ADJ", "ADV", "AUX"})
# lemminflect's files whose content the answers depend on: the data, the lookup code, the
# version (``__init__``); a change in any of them names a new table file
_SOURCES = (
    "resources/lemma_lu.csv.gz",
    "resources/lemma_overrides.csv",
    "__init__.py",
    "core/Lemmatizer.py",
    "core/LexicalUtils.py",
    "codecs/LemmaLUCodec.py",
    "codecs/OverridesCodec.py",
)
_NAME, _KIND, _SUFFIX = "lemminflect", "lemmas", ".sqlite"


def all_lemmas(word: str) -> dict[str, tuple[str, ...]]:
    """``lemminflect.getAllLemmas(word)``: each word class the dictionary knows, with its
    lemmas (an empty dict for a word it does not know)."""
    table = _table() if _plain(word) else None
    if table is not None:
        found = table.get(word.lower())
        if found is not None:
            return found
    return dict(_with_lemma_table().getAllLemmas(word))


def lemma(word: str, upos: str) -> tuple[str, ...]:
    """``lemminflect.getLemma(word, upos, lemmatize_oov=True)``: the dictionary's lemmas
    for that word class, else lemminflect's rules' guess (``()`` when they have none)."""
    table = _table() if upos in _TABLE_UPOS and _plain(word) else None
    if table is not None:
        found = table.get(word.lower())
        if found is not None:
            if upos in found:
                return found[upos]
            # what getLemma does once the dictionary has nothing: the rules (numpy)
            guessed = _module().getAllLemmasOOV(word, upos)
            return tuple(next(iter(guessed.values()), ()))
    return tuple(_with_lemma_table().getLemma(word, upos=upos, lemmatize_oov=True))


def _plain(word: str) -> bool:
    """In lemminflect's ``lower`` capitalisation style, and so is its lower case (the key it
    looks up): its answers are then the stored ones, lower-cased as stored."""
    key = word.lower()
    return not (word.isupper() or word[:1].isupper() or key.isupper() or key[:1].isupper())


class _Table:
    """One read-only SQLite file; a connection per process (none survives a fork), one
    lookup at a time (a few microseconds each)."""

    def __init__(self, path: Path, db: sqlite3.Connection) -> None:
        self._path = path
        self._db: sqlite3.Connection | None = db
        self._pid = os.getpid()
        self._lock = threading.Lock()
        self._broken = False

    def get(self, key: str) -> dict[str, tuple[str, ...]] | None:
        """The stored answer (``{}`` for a word not in the vocabulary), or None once the
        file has failed: the caller asks lemminflect then."""
        with self._lock:
            if self._broken:
                return None
            try:
                if self._db is None or self._pid != os.getpid():
                    self._db, self._pid = _connect(self._path), os.getpid()
                row = self._db.execute("SELECT forms FROM lemmas WHERE word = ?", (key,))
                found = row.fetchone()
            except sqlite3.Error:
                self._broken = True
                return None
        return {} if found is None else {upos: tuple(forms) for upos, forms in json.loads(found[0])}


@cache
def _table() -> _Table | None:
    """The table for the installed lemminflect, written first if it is not there yet; None
    where no cache folder is usable (lemminflect answers every word then)."""
    path = _table_file()
    if path is None:
        return None
    db = _open(path)
    if db is None:
        if not _write(path):
            return None
        db = _open(path)
    return None if db is None else _Table(path, db)


def _table_file() -> Path | None:
    spec = importlib.util.find_spec("lemminflect")  # finds, does not import
    if spec is None or not spec.submodule_search_locations:
        return None
    package = Path(next(iter(spec.submodule_search_locations)))
    digest = hashlib.sha256()
    try:
        for name in _SOURCES:
            digest.update(name.encode() + b"\0" + (package / name).read_bytes() + b"\0")
    except OSError:
        return None
    return cache_file(
        _NAME,
        digest.hexdigest(),
        {},
        Path(__file__).read_text(encoding="utf-8"),
        kind=_KIND,
        suffix=_SUFFIX,
    )


def _connect(path: Path) -> sqlite3.Connection:
    # immutable: the file is only ever replaced whole (lark_cache.store), never changed;
    # any thread may look up (the table's lock keeps it to one at a time)
    uri = f"{path.as_uri()}?mode=ro&immutable=1"
    return sqlite3.connect(uri, uri=True, check_same_thread=False)


def _open(path: Path) -> sqlite3.Connection | None:
    """The stored table, if it is there, ours alone and whole: it names its own file, and
    is as long as its header says (a file cut short could answer for the first words)."""
    try:
        info = path.stat()
        if not ours_alone(info):
            return None
        db = _connect(path)
        try:
            row = db.execute("SELECT value FROM meta WHERE key = 'file'").fetchone()
            (pages,) = db.execute("PRAGMA page_count").fetchone()
            (page_size,) = db.execute("PRAGMA page_size").fetchone()
        except sqlite3.Error:
            db.close()
            raise
    except (OSError, sqlite3.Error):
        return None
    if row is None or row[0] != path.name or pages * page_size != info.st_size:
        db.close()
        return None
    mark_used(path, info.st_mtime)
    return db


def _write(path: Path) -> bool:
    """Ask lemminflect for every word of its vocabulary (~0.6 s of CPU, once per version).
    An SQLite without ``serialize`` (Python ≥ 3.11 on SQLite ≥ 3.23 has it) writes none."""
    lemminflect = _with_lemma_table()
    db = sqlite3.connect(":memory:")
    if not hasattr(db, "serialize"):
        db.close()
        return False
    try:
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.execute("CREATE TABLE lemmas (word TEXT PRIMARY KEY, forms TEXT NOT NULL) WITHOUT ROWID")
        with _collector_paused():  # ~64,000 small dicts made, none of them garbage
            rows = [
                (word, json.dumps(list(lemminflect.getAllLemmas(word).items())))
                for word in sorted(_vocabulary(lemminflect.__file__))
            ]
        db.executemany("INSERT INTO lemmas VALUES (?, ?)", rows)
        db.execute("INSERT INTO meta VALUES ('file', ?)", (path.name,))
        db.commit()
        data = db.serialize()
    except (OSError, sqlite3.Error):
        return False
    finally:
        db.close()
    return store(path, _NAME, lambda out: out.write(data), kind=_KIND)


def _vocabulary(init_file: str | None) -> Iterator[str]:
    """Every key lemminflect's dictionary could find for a word in the ``lower`` style:
    the first column of its lemma table and of its overrides, as lemminflect reads them.
    A word outside it has no entry there, and lemminflect answers ``{}`` for it too."""
    resources = Path(init_file or "").parent / "resources"
    seen: set[str] = set()
    with gzip.open(resources / "lemma_lu.csv.gz", "rt", encoding="utf-8") as table:
        seen.update(line.strip().split(",", 1)[0] for line in table)
    with (resources / "lemma_overrides.csv").open(encoding="utf-8") as overrides:
        seen.update(
            line.strip().split(",", 1)[0]
            for line in overrides
            if line.strip() and not line.strip().startswith("#")
        )
    return (word for word in seen if word == word.lower() and _plain(word))


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@cache
def _module() -> ModuleType:
    """lemminflect itself (numpy, for its rules): imported only when a word needs it."""
    return importlib.import_module("lemminflect")


@cache
def _with_lemma_table() -> ModuleType:
    """lemminflect with its lemma table read: ~70,000 dicts, and a fifth of the read was
    the garbage collector walking them, none of them garbage, so it pauses (issue 18)."""
    lemminflect = _module()
    with _collector_paused():
        lemminflect.getAllLemmas("")
    return lemminflect
