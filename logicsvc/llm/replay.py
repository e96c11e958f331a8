"""Recorded LLM programs as a chat backend: the same answers in process or over HTTP.

Logic-LM recorded each problem's program (``{id, context, question, options,
answer, raw_logic_programs: [program]}``).  :func:`find_recorded` says which
recorded problem a prompt asks about (rules in its docstring and in
``replay_server``'s); :class:`ReplayChat` answers chat requests with it, and the
replay server serves the same answers over HTTP.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from logicsvc.errors import LLMError
from logicsvc.llm import ChatRequest, ChatResponse, Completion


def normalize(text: str) -> str:
    """Runs of white space as one space, trimmed: how prompts and records are compared."""
    return " ".join(text.split())


@dataclass(frozen=True, slots=True)
class RecordedItem:
    """One recorded problem, its texts already normalised for matching."""

    id: str
    context: str
    question: str
    statement: str
    """The question's last sentence (after its last ``?``), or empty."""
    program: str
    source: str
    """The file it came from."""
    options: tuple[str, ...] = ()
    """The item's options, normalised: multiple-choice items sharing a context differ by them."""


class RecordNotFound(LookupError):
    """No recorded item, or no single one, answers a prompt; ``code`` says which."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _program_files(programs: Path | Sequence[Path]) -> list[Path]:
    paths = [programs] if isinstance(programs, Path) else list(programs)
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(path.glob("*.json")) if path.is_dir() else [path])
    return files


def load_recorded(programs: Path | Sequence[Path]) -> tuple[RecordedItem, ...]:
    """Every recorded item with a program, in file order (a folder means its ``*.json``)."""
    items: list[RecordedItem] = []
    for path in _program_files(programs):
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, list):
            raise ValueError(f"{path}: expected a JSON list of recorded items")
        for index, entry in enumerate(data):
            if not isinstance(entry, dict):
                raise ValueError(f"{path}: item {index} is not an object")
            raw = entry.get("raw_logic_programs") or []
            context = normalize(str(entry.get("context") or ""))
            if not raw or not isinstance(raw[0], str) or not context:
                continue  # nothing to answer with, or nothing to match on
            question = normalize(str(entry.get("question") or ""))
            statement = question.rsplit("?", 1)[1].strip() if "?" in question else ""
            items.append(
                RecordedItem(
                    id=str(entry.get("id", f"{path.name}#{index}")),
                    context=context,
                    question=question,
                    statement=statement,
                    program=raw[0],
                    source=path.name,
                    options=tuple(normalize(str(o)) for o in entry.get("options") or ()),
                )
            )
    if not items:
        raise ValueError(f"no recorded programs found in {programs}")
    return tuple(items)


def find_recorded(items: Sequence[RecordedItem], prompt: str) -> RecordedItem:
    """The recorded item a prompt asks about (see the module docstring for the rules)."""
    text = normalize(prompt)
    candidates = [item for item in items if item.context in text]
    if not candidates:
        raise RecordNotFound(
            "no_recorded_program", "no recorded context occurs in the last user message"
        )
    if len(candidates) == 1:
        return candidates[0]
    # Candidates share one context; a fact of it may read like another item's question
    # ("Anne is young."), so look for the question only after the context.
    context = candidates[0].context
    text = text[text.index(context) + len(context) :]
    # puzzles with one context and one question ("Which of the following is true?")
    # differ by their options
    listed = [i for i in candidates if i.options and all(o in text for o in i.options)]
    if listed and len({i.program for i in listed}) == 1 and len(listed) < len(candidates):
        return listed[0]
    by_question = [item for item in candidates if item.question and item.question in text]
    if by_question:
        return by_question[0]
    by_statement = [item for item in candidates if item.statement and item.statement in text]
    if by_statement:
        # "Yuri is an American basketball player." also occurs inside "If Yuri does not
        # wear large shoes, then Yuri is an American basketball player.": the longest wins
        longest = max(len(item.statement) for item in by_statement)
        by_statement = [item for item in by_statement if len(item.statement) == longest]
    if len({item.program for item in by_statement}) == 1:
        return by_statement[0]
    ids = ", ".join(item.id for item in candidates[:5])
    raise RecordNotFound(
        "ambiguous_recorded_program",
        f"the message matches {len(candidates)} recorded contexts ({ids}, ...) "
        "and no single recorded question",
    )


class ReplayChat:
    """A :class:`~logicsvc.llm.ChatBackend` that answers from recordings, no HTTP."""

    name = "replay"

    def __init__(self, programs: Path | Sequence[Path]) -> None:
        self.items = load_recorded(programs)
        self.calls = 0

    async def complete(self, request: ChatRequest) -> ChatResponse:
        prompt = next((m.content for m in reversed(request.messages) if m.role == "user"), "")
        try:
            item = find_recorded(self.items, prompt)
        except RecordNotFound as exc:
            raise LLMError(f"no recorded program answers this prompt: {exc}") from None
        self.calls += 1
        words = len(prompt.split())
        completions = tuple(
            Completion(item.program, "stop", words if i == 0 else 0, len(item.program.split()))
            for i in range(request.n)
        )
        return ChatResponse(completions, model="replay")
