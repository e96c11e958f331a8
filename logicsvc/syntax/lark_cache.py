"""Every LALR parser this package builds, its tables kept on disk once per user.

Building a grammar's LALR tables costs tens of milliseconds (``fol.lark`` ~0.2 s, the
controlled-English grammar ~37 ms) in every process that parses; loading them from a
file costs a tenth of that.  Lark's own ``cache=`` option writes to the shared temporary
directory and cannot hash ``edit_terminals``, so the files are kept here instead.

A file's name is the grammar's name and a digest of everything its tables depend on
(the grammar text, the options, the caller's ``code`` such as the module holding its
``edit_terminals``, this module, Lark's and Python's versions): a changed grammar gets a
new file and never a stale table.  Writing one prunes that grammar's files unused for a
day (a load marks its file used, at most twice a day), so versions that come and go
leave no trail, while every version in use keeps its own file.

The folder, the digest, the ownership checks and the pruning serve other derived tables
too (``kind`` and ``suffix`` name them apart): the offline translator's lemma table
(:mod:`logicsvc.translate.lemmas`) is kept the same way.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, Any

import lark

# Files of a grammar not loaded for this long are deleted when the grammar writes another.
STALE_AFTER_S = 24 * 3600
# A load re-marks its file as used when the last mark is older than this: so every file
# loaded within the last STALE_AFTER_S - MARK_EVERY_S seconds survives a prune.
MARK_EVERY_S = 12 * 3600
_SUFFIX = ".pickle"


def load_or_build(
    name: str,
    text: str,
    options: Mapping[str, Any],
    *,
    code: str = "",
    edit_terminals: Callable[[lark.lexer.TerminalDef], None] | None = None,
    transformer: lark.Transformer[Any, Any] | None = None,
) -> lark.Lark:
    """``lark.Lark(text, **options)``, its tables loaded from the user's cache when there.

    ``code`` is any source the tables depend on beyond ``text`` and ``options``
    (``edit_terminals`` is not hashed: pass the source that defines it).  The
    transformer is not stored: it is given again on loading (Lark's ``cache=`` does the
    same).  A missing, truncated or foreign file is built again and replaced.
    """
    extra: dict[str, Any] = {"transformer": transformer} if transformer is not None else {}
    path = cache_file(name, text, options, code)
    if path is not None:
        with contextlib.suppress(Exception), path.open("rb") as stored:
            info = os.fstat(stored.fileno())
            if ours_alone(info):
                loaded = lark.Lark.__new__(lark.Lark)._load(stored, **extra)  # Lark.load
                mark_used(path, info.st_mtime)
                return loaded
    if edit_terminals is not None:
        extra["edit_terminals"] = edit_terminals
    built = lark.Lark(text, **options, **extra)
    if path is not None:
        _store(built, path, name)
    return built


def cache_file(
    name: str,
    text: str,
    options: Mapping[str, Any],
    code: str = "",
    *,
    kind: str = "lalr",
    suffix: str = _SUFFIX,
) -> Path | None:
    """Where the tables go: ``$LOGICSVC_PARSER_CACHE`` (``off`` for nowhere), else the
    per-user ``$XDG_CACHE_HOME/logicsvc`` (``~/.cache/logicsvc``); never a shared
    temporary directory, whose files another user could have planted."""
    setting = os.environ.get("LOGICSVC_PARSER_CACHE", "")
    if setting.lower() in ("off", "0", "false", "no"):
        return None
    try:
        if setting:
            folder = Path(setting)
        else:  # no home (HOME unset, a UID without a passwd entry): no cache, not a failure
            base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
            folder = Path(base) / "logicsvc"
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = folder.stat()
    except (OSError, RuntimeError):
        return None
    if not ours_alone(info):
        return None  # loading a pickle from it would trust others
    digest = hashlib.sha256()
    for part in (
        text,
        repr(sorted(options.items())),
        code,
        Path(__file__).read_text(encoding="utf-8"),
        lark.__version__,
        sys.version,
    ):
        digest.update(part.encode("utf-8") + b"\0")
    return folder / f"{_prefix(name, kind)}{digest.hexdigest()[:32]}{suffix}"


def ours_alone(info: os.stat_result) -> bool:
    """Owned by this user and writable by no one else (the folder, and each file in it)."""
    return not hasattr(os, "getuid") or (info.st_uid == os.getuid() and not info.st_mode & 0o022)


def _prefix(name: str, kind: str = "lalr") -> str:
    return f"{name}-{kind}-"


def mark_used(path: Path, modified: float) -> None:
    """Move the file's time forward, so a prune sees it in use (a read-only cache: no)."""
    if time.time() - modified > MARK_EVERY_S:
        with contextlib.suppress(OSError):
            os.utime(path)


def _store(built: lark.Lark, path: Path, name: str) -> None:
    store(path, name, lambda out: built.save(out, exclude_options=("transformer",)))


def store(
    path: Path, name: str, write: Callable[[IO[bytes]], object], *, kind: str = "lalr"
) -> bool:
    """Write beside, then rename: a reader sees the old file or the whole new one.
    Then prune ``name``'s stale files; False where the file could not be written."""
    written: str | None = None
    try:
        with tempfile.NamedTemporaryFile(
            dir=path.parent, prefix=_prefix(name, kind), suffix=".tmp", delete=False
        ) as out:
            written = out.name
            write(out)
        os.replace(written, path)
    except OSError:
        if written is not None:
            with contextlib.suppress(OSError):
                os.unlink(written)
        return False
    prune(path.parent, name, keep=path, kind=kind, suffix=path.suffix)
    return True


def prune(
    folder: Path, name: str, *, keep: Path, kind: str = "lalr", suffix: str = _SUFFIX
) -> None:
    """Delete ``name``'s files (and writers' leftovers) unused for :data:`STALE_AFTER_S`.

    Only files no process has loaded for a day go: a version of logicsvc in use keeps
    its file, and one whose file went merely builds it again.  A process that has loaded
    its tables holds them in memory and never reads the file again.
    """
    cutoff = time.time() - STALE_AFTER_S
    for candidate in folder.glob(f"{_prefix(name, kind)}*"):
        if candidate == keep or candidate.suffix not in (suffix, ".tmp"):
            continue
        with contextlib.suppress(OSError):
            if candidate.stat().st_mtime < cutoff:
                candidate.unlink()
