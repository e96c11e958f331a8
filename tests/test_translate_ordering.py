"""Ordering puzzles (LogicalDeduction) translated offline: every relation family, the
errors outside the fragment, and the exact figures on the real train and dev-A sets."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from logicsvc import provers
from logicsvc.errors import InputError, UntranslatableError
from logicsvc.evaluation import fallback, offline
from logicsvc.llm.fake import ScriptedChat
from logicsvc.llm.loop import LoopOptions
from logicsvc.load import load_task
from logicsvc.reasoning import translate_choice
from logicsvc.syntax import to_dsl
from logicsvc.syntax.ast import QuestionKind
from logicsvc.translate import Translator, get_translator
from logicsvc.translate.ordering import NotAnOrderingPuzzle, OrderingTranslator

DATA = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "logical_deduction"
PREAMBLE = (
    "The following paragraphs each describe a set of three objects arranged in a fixed "
    "order. The statements are logically consistent within each paragraph.\n\n"
)
SETTINGS = {
    "books": "On a shelf, there are three books: a red book, a blue book, and a green book.",
    "vehicles": "In an antique car show, there are three vehicles: a bus, a truck, and a sedan.",
    "fruits": "A fruit stand sells three fruits: apples, plums, and kiwis.",
    "golfers": "In a golf tournament, there were three golfers: Ana, Eve, and Joe.",
}

OPTIONS = {
    "books": "The red book is the leftmost.",
    "vehicles": "The bus is the oldest.",
    "fruits": "The apples are the cheapest.",
    "golfers": "Ana finished first.",
}


def premises(setting: str, sentence: str) -> list[str]:
    """The formulas of a puzzle's relation sentence (after the all-different premise)."""
    text = PREAMBLE + SETTINGS[setting] + " " + sentence
    question = f"Which of the following is true?\nA) {OPTIONS[setting]}"
    translation = OrderingTranslator().translate([text], question)
    assert translation.choice is not None
    return [to_dsl(s.formula) for s in translation.choice.premises[1:]]


@pytest.mark.parametrize(
    ("setting", "sentence", "formula"),
    [
        ("books", "The red book is to the left of the blue book.", "red_book < blue_book"),
        ("books", "The red book is to the right of the blue book.", "red_book > blue_book"),
        ("books", "The green book is the leftmost.", "green_book = 1"),
        ("books", "The green book is the rightmost.", "green_book = 3"),
        ("books", "The blue book is the second from the left.", "blue_book = 2"),
        ("books", "The blue book is the third from the right.", "blue_book = 1"),
        ("books", "The blue book is not the leftmost.", "blue_book ≠ 1"),
        ("vehicles", "The bus is older than the truck.", "bus < truck"),
        ("vehicles", "The bus is newer than the truck.", "bus > truck"),
        ("vehicles", "The sedan is the oldest.", "sedan = 1"),
        ("vehicles", "The sedan is the newest.", "sedan = 3"),
        ("vehicles", "The sedan is the second-newest.", "sedan = 2"),
        ("vehicles", "The sedan is the third-oldest.", "sedan = 3"),
        ("fruits", "The apples are more expensive than the plums.", "apples > plums"),
        ("fruits", "The apples are less expensive than the plums.", "apples < plums"),
        ("fruits", "The apples are cheaper than the plums.", "apples < plums"),
        ("fruits", "The kiwis are the cheapest.", "kiwis = 1"),
        ("fruits", "The kiwis are the most expensive.", "kiwis = 3"),
        ("fruits", "The kiwis are the second-most expensive.", "kiwis = 2"),
        ("fruits", "The kiwis are the third-cheapest.", "kiwis = 3"),
        ("golfers", "Eve finished above Ana.", "eve < ana"),
        ("golfers", "Eve finished below Ana.", "eve > ana"),
        ("golfers", "Joe finished first.", "joe = 1"),
        ("golfers", "Joe finished second.", "joe = 2"),
        ("golfers", "Joe finished last.", "joe = 3"),
        ("golfers", "Joe finished second-to-last.", "joe = 2"),
        ("golfers", "Joe finished third-to-last.", "joe = 1"),
        ("golfers", "Joe did not finish last.", "joe ≠ 3"),
    ],
)
def test_each_relation_is_a_comparison_of_positions(
    setting: str, sentence: str, formula: str
) -> None:
    assert premises(setting, sentence) == [formula]


def test_the_objects_are_constants_of_one_range_sort_all_different() -> None:
    text = SETTINGS["fruits"] + " The apples are the cheapest."
    options = [("A", "The plums are the cheapest."), ("B", "The apples are the cheapest.")]
    translation, problem = translate_choice([text], options, QuestionKind.MUST_BE_TRUE, rules())
    assert "Position = 1..3 ::: 1 is the cheapest, 3 the most expensive" in translation.program
    assert to_dsl(problem.premises[0].formula) == "distinct(apples, plums, kiwis)"
    assert [s.gloss for s in problem.premises] == [
        "A fruit stand sells three fruits: apples, plums, and kiwis.",
        "The apples are the cheapest.",
    ]
    assert load_task(translation.program).problem == problem  # the printed program is it
    result = provers.choose(problem)
    assert result.answer == "B" and result.backend == "finite"
    chosen = next(o for o in result.options if o.selected)
    assert chosen.used_premises == (1,)


def rules() -> Translator:
    return get_translator("rules")


def refusal(
    context: str, conclusion: str = "Which is true?\nA) The red book is the leftmost."
) -> str:
    with pytest.raises(UntranslatableError) as caught:
        OrderingTranslator().translate([context], conclusion)
    error = caught.value
    assert error.code == "untranslatable" and error.span is not None
    start = error.span.column - 1
    assert context.splitlines()[error.span.line - 1][start:].startswith(error.sentence)
    return f"{error.sentence_index}: {error.message}"


def test_sentences_outside_the_fragment_are_refused_with_index_and_span() -> None:
    books = SETTINGS["books"]
    message = refusal(books + " The red book is heavier than the blue book.")
    assert message.startswith("1: ") and "'heavier than' is not a comparison" in message
    assert "'pink book' is not one of the objects" in refusal(
        books + " The pink book is the leftmost."
    )
    assert "orders by age, but the puzzle orders by position" in refusal(
        books + " The red book is the leftmost. The blue book is older than the red book."
    )
    assert "announces 3 objects but lists 2" in refusal(
        "On a shelf, there are three books: a red book and a blue book."
    )
    assert "no reading from character" in refusal(books + " Two books are red.")
    assert "there is no place 4 among 3 objects" in refusal(
        books + " The red book is the fourth from the left."
    )


def test_an_untranslatable_option_is_named_after_the_context_sentences() -> None:
    context = SETTINGS["books"] + " The red book is the leftmost."
    with pytest.raises(UntranslatableError) as caught:
        OrderingTranslator().translate(
            [context],
            "Which of the following is true?\nA) The red book is the leftmost.\n"
            "B) The red book is heavy.",
        )
    assert caught.value.sentence_index == 3 and caught.value.sentence == "The red book is heavy."
    assert caught.value.span is not None and caught.value.span.line == 3


def test_text_without_objects_in_an_order_goes_to_the_controlled_translator() -> None:
    with pytest.raises(NotAnOrderingPuzzle):
        OrderingTranslator().translate(["All men are mortal."], "Which is true?\nA) x.")
    options = [("A", "Socrates is mortal."), ("B", "Socrates is not mortal.")]
    _, problem = translate_choice(
        ["All men are mortal. Socrates is a man."], options, QuestionKind.MUST_BE_TRUE, rules()
    )
    assert provers.choose(problem).answer == "A"


def dataset(name: str) -> Path:
    path = DATA / f"{name}.json"
    if not path.is_file():
        pytest.skip(f"{path} not found beside the repository")
    return path


@pytest.mark.parametrize(("name", "size"), [("train", 821), ("dev-A", 136)])
def test_logical_deduction_offline_figures(name: str, size: int) -> None:
    summary = offline.evaluate(dataset(name), choice=True).to_dict()
    assert summary["n"] == size and summary["translated"] == size
    assert summary["correct"] == size and summary["llm_calls"] == 0
    assert summary["statuses"] == {"ok": size}


def test_translated_programs_print_and_load_back_the_same() -> None:
    items = json.loads(dataset("dev-A").read_text(encoding="utf-8"))
    for item in items:
        conclusion = "\n".join([item["question"], *item["options"]])
        translation = OrderingTranslator().translate([item["context"]], conclusion)
        assert load_task(translation.program).problem == translation.choice


def test_auto_asks_the_llm_only_for_the_puzzle_it_cannot_read(tmp_path: Path) -> None:
    items = json.loads(dataset("dev-A").read_text(encoding="utf-8"))
    readable, odd = dict(items[0]), dict(items[1])
    odd["context"] = odd["context"] + " Nobody knows why."
    path = tmp_path / "two.json"
    path.write_text(json.dumps([readable, odd]), encoding="utf-8")
    chat = ScriptedChat(["not a program"])
    options = LoopOptions(style="choice", backend="z3", rounds=0)
    summary = fallback.evaluate(path, chat=chat, options=options, choice=True).to_dict()
    assert summary["n"] == 2 and summary["llm_calls"] == 1 and summary["correct"] == 1
    assert "Nobody knows why." in chat.requests[0].messages[-1].content


def test_a_question_without_options_is_refused() -> None:
    with pytest.raises(InputError, match="at least one option"):
        OrderingTranslator().translate([SETTINGS["books"]], "Which of the following is true?")


def test_eval_logical_deduction_is_offline_by_default(tmp_path: Path) -> None:
    items = json.loads(dataset("dev-A").read_text(encoding="utf-8"))[:3]
    path = tmp_path / "three.json"
    path.write_text(json.dumps(items), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LOGICSVC_", "OPENAI_"))}
    proc = subprocess.run(
        [sys.executable, "-m", "logicsvc.cli", "eval", "logical-deduction", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    # the default is auto, as everywhere (issue 17): with no LLM configured, the rules alone
    assert summary["translator"] == "auto" and summary["llm_calls"] == 0
    assert summary["correct"] == summary["n"] == 3
