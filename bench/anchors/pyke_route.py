"""Logic-LM's ProofWriter stage on Pyke: the anchor issue 18's ProofWriter goal is a ratio to.

Per program, as Logic-LM's ``Pyke_Program`` does it: split the text into its sections,
write the facts to a Pyke fact base (``facts.kfb``) and each rule to a forward-chaining
rule (``rules.krb``), empty the compiled-knowledge-base package (Logic-LM deletes
``compiled_krb/*`` before every program, so Pyke compiles each one afresh), build a
``knowledge_engine.engine`` over the folder (Pyke compiles both files to Python and
loads them), activate the rules, and ask ``facts.P(subject, $label)`` and
``rules.P(subject, $label)``. No per-problem timeout: Logic-LM sets none for Pyke.

The reading is Logic-LM's, quirks included, because the answers are what we check
the anchor by: a query is read by the pattern ``P(subject, rest)`` (a two-place
query such as ``Likes(lion, cat, False)`` asks ``Likes(lion, $label)`` and so finds
nothing: Unknown), facts mentioning ``$x`` are dropped, and two labels found
combine with ``and``.
"""

from __future__ import annotations

import atexit
import re
import shutil
import sys
import tempfile
from pathlib import Path

_KEYWORDS = ("Query:", "Rules:", "Facts:", "Predicates:")  # Logic-LM peels them in this order
_QUERY = re.compile(r"(\w+)\(([^,]+),\s*([^)]+)\)")
_COMPILED = "compiled_krb"  # Pyke's default target package, beside the source folder


def read_sections(program: str) -> dict[str, list[str] | None]:
    """Each section's statements (glosses after ``:::`` cut), ``None`` where the split fails.

    A keyword must split the remaining text in exactly two, as Logic-LM's unpacking
    demands; the part before it is what the next keyword splits.
    """
    rest, sections = program, {}
    for key in _KEYWORDS:
        parts = rest.split(key)
        if len(parts) != 2:
            sections[key] = None
            continue
        rest, body = parts
        sections[key] = [line.split(":::")[0].strip() for line in body.strip().split("\n")]
    return sections


def facts_and_rules(sections: dict[str, list[str] | None]) -> tuple[list[str], list[str]]:
    """The facts and rules Logic-LM writes, after its repair of a program missing one.

    Raises ``TypeError`` where Logic-LM's file writing fails (neither section found):
    a parsing error.
    """
    facts, rules = sections["Facts:"], sections["Rules:"]
    if facts is not None and rules is not None and facts[0] != "" and rules[0] != "":
        return facts, rules
    statements = facts if facts is not None else rules
    if statements is None:
        raise TypeError("the program has neither a Facts: nor a Rules: section")
    return [s for s in statements if ">>>" not in s], [s for s in statements if ">>>" in s]


def krb_rule(index: int, rule: str) -> str:
    """``A($x, True) && B($x, True) >>> C($x, True)`` as forward-chaining rule ``fact<index>``."""
    premise, conclusion = rule.split(">>>")  # ValueError unless exactly one arrow
    lines = [f"fact{index}", "\tforeach"]
    lines += [f"\t\tfacts.{p.strip()}" for p in premise.strip().split("&&")]
    lines.append("\tassert")
    lines += [f"\t\tfacts.{c.strip()}" for c in conclusion.strip().split("&&")]
    return "\n".join(lines)


class PykeSolver:
    """Solves programs in this process's scratch folder (see :func:`scratch_folder`)."""

    def __init__(self) -> None:
        self.root = scratch_folder()
        self.source = self.root / "knowledge"
        self.source.mkdir(exist_ok=True)

    def __call__(self, program: str) -> tuple[str | None, str, str]:
        """Logic-LM's (answer letter, flag, error) for one program."""
        sections = read_sections(program)
        try:
            facts, rules = facts_and_rules(sections)
            kept = [fact for fact in facts if "$x" not in fact]
            (self.source / "facts.kfb").write_text("".join(f + "\n" for f in kept))
            text = "\n\n".join(krb_rule(i, rule) for i, rule in enumerate(rules, start=1))
            (self.source / "rules.krb").write_text(text)
        except (TypeError, ValueError) as exc:
            return None, "parsing error", str(exc)
        try:
            return self._query(sections["Query:"]), "success", ""
        except Exception as exc:  # Logic-LM counts any failure as not executable
            return None, "execution error", f"{type(exc).__name__}: {exc}"

    def _query(self, query: list[str] | None) -> str:
        from pyke import knowledge_engine

        compiled = self.root / _COMPILED
        if compiled.is_dir():  # Logic-LM empties it before each program: a full compile
            for entry in compiled.iterdir():
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
        engine = knowledge_engine.engine(str(self.source))
        engine.reset()
        engine.activate("rules")
        engine.get_kb("facts")
        if query is None:
            raise TypeError("the program has no Query: section")
        match = _QUERY.match(query[0])
        if match is None:
            raise ValueError(f"Invalid query: {query[0]}")
        predicate, subject, wanted = match.group(1), match.group(2), match.group(3) == "True"
        labels = []
        for base in ("facts", "rules"):
            with engine.prove_goal(f"{base}.{predicate}({subject}, $label)") as answers:
                labels += [bindings["label"] for bindings, _plan in answers]
        if len(labels) == 1:
            found = labels[0]
        elif len(labels) == 2:
            found = labels[0] and labels[1]
        else:  # none, or more than two: Logic-LM returns nothing either way
            return "C"
        return "A" if found == wanted else "B"


_SCRATCH: list[Path] = []


def scratch_folder() -> Path:
    """The one folder per process where the knowledge bases are written and compiled.

    Pyke puts the compiled package under the ``sys.path`` entry above the source
    folder, and reads ``sys.path`` once, when ``pyke.knowledge_engine`` is first
    imported; so the folder goes on ``sys.path`` before that import and is kept for the
    process (as Logic-LM keeps its ``models/``), removed at exit.
    """
    if not _SCRATCH:
        root = Path(tempfile.mkdtemp(prefix="pyke-anchor-"))
        sys.path.insert(0, str(root))
        from pyke import knowledge_engine

        if str(root) not in knowledge_engine.Sys_path:
            raise RuntimeError("pyke.knowledge_engine was imported before the anchor's folder")
        atexit.register(shutil.rmtree, root, ignore_errors=True)
        _SCRATCH.append(root)
    return _SCRATCH[0]
