"""Multiple-choice questions end to end: DSL programs with options through prove (CLI and
HTTP), and the LLM loop on real LogicalDeduction items with scripted replies, refinement
on a question with no single answer included."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from logicsvc import provers
from logicsvc.evaluation import llm_eval
from logicsvc.llm.fake import ScriptedChat
from logicsvc.llm.loop import LoopOptions
from logicsvc.load import load_task
from logicsvc.syntax import parse_program, problem_to_dsl

DATA = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "logical_deduction"

# logical_deduction_0 of dev-A, as a model following prompts/choice.md would write it
SHELF = """Sorts:
Book = {green_book, blue_book, white_book, purple_book, yellow_book}
Position = 1..5 ::: 1 is the leftmost
Functions:
pos(Book) : Position
Premises:
distinct(pos(green_book), pos(blue_book), pos(white_book), pos(purple_book), pos(yellow_book))
pos(blue_book) > pos(yellow_book) ::: The blue book is to the right of the yellow book.
pos(white_book) < pos(yellow_book) ::: The white book is to the left of the yellow book.
pos(blue_book) = 4 ::: The blue book is the second from the right.
pos(purple_book) = 2 ::: The purple book is the second from the left.
Question: must be true
Options:
A) pos(green_book) = 2
B) pos(blue_book) = 2
C) pos(white_book) = 2
D) pos(purple_book) = 2
E) pos(yellow_book) = 2
"""


def test_a_question_program_is_answered_with_its_explanations() -> None:
    checked = load_task(SHELF)
    result = provers.choose(checked.problem)
    assert (result.status, result.answer) == ("ok", "D")
    d = next(o for o in result.options if o.label == "D")
    assert d.entailed and d.used_premises == (4,)  # premise 5 (0-based 4) alone settles it
    b = next(o for o in result.options if o.label == "B")
    # only the check the kind reads is run, and only the answer is explained
    assert b.entailed is False and b.possible is None and not b.used_premises
    assert problem_to_dsl(checked.problem).count("\n") == SHELF.count("\n")


def test_a_witness_model_is_rendered_as_assignments() -> None:
    text = (
        SHELF.replace("must be true", "could be true")
        .replace("pos(blue_book) = 4 ::: The blue book is the second from the right.\n", "")
        .replace("A) pos(green_book) = 2", "A) pos(green_book) = 1")
    )
    several = provers.choose(load_task(text).problem)
    assert several.status == "several_options"  # D is possible too: never a guess
    assert several.answer is None and set(several.selected) == {"A", "D"}
    one = text.split("C) ")[0]  # options A and B only: B (blue second) cannot be
    result = provers.choose(load_task(one).problem)
    assert (result.status, result.answer) == ("ok", "A")
    a = result.options[0]
    assert a.possible and a.model is not None
    assignments = a.model["assignments"]
    assert "pos(green_book) = 1" in assignments and "pos(purple_book) = 2" in assignments
    assert len(assignments) == 5


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ("pos(blue_book) = 4 ::: The", "pos(blue_book) = 1 ::: The"),  # contradicts premise 2
        ("D) pos(purple_book) = 2", "D) pos(purple_book) = 3"),  # nothing entailed
    ],
)
def test_contradictions_and_no_option_are_outcomes(change: str, status: str) -> None:
    result = provers.choose(load_task(SHELF.replace(change, status)).problem)
    expected = "contradictory_premises" if "= 1 :::" in status else "no_option"
    assert result.status == expected and result.answer is None


def test_the_loop_refines_a_program_whose_question_has_no_single_answer(tmp_path: Path) -> None:
    items = json.loads((DATA / "dev-A.json").read_text(encoding="utf-8"))
    item = next(i for i in items if i["id"] == "logical_deduction_0")
    path = tmp_path / "one.json"
    path.write_text(json.dumps([item]), encoding="utf-8")
    wrong = SHELF.replace("D) pos(purple_book) = 2", "D) pos(purple_book) = 3")
    chat = ScriptedChat([f"```\n{wrong}```", f"```\n{SHELF}```"])
    summary = llm_eval.evaluate(
        path, chat=chat, options=LoopOptions(style="choice", backend="z3"), choice=True
    )
    assert summary.to_dict()["correct"] == 1 and summary.llm_calls == 2
    refinement = chat.requests[1].messages[-1].content
    assert "no option passes" in refinement and "A) not entailed" in refinement
    first = chat.requests[0].messages
    assert "Question: must be true" in first[0].content  # the choice prompt's language
    assert "A) The green book is the second from the left." in first[-1].content


def test_the_choice_decoding_grammar_is_sent_for_puzzles() -> None:
    options = LoopOptions(style="choice", grammar=True)
    grammar = options.grammar_text()
    assert grammar is not None and "premises question" in grammar
    assert "premises conclusion" in (LoopOptions(grammar=True).grammar_text() or "")


def test_option_lists_parse_only_for_accurate_list_questions() -> None:
    text = SHELF.replace("A) pos(green_book) = 2", "A) pos(green_book) = 2 ; pos(blue_book) = 4")
    with pytest.raises(Exception, match="only an 'accurate list' question takes lists"):
        load_task(text)
    listed = load_task(text.replace("must be true", "accurate list"))
    assert len(listed.problem.question.options[0].formulas) == 2  # type: ignore[union-attr]
    assert parse_program(problem_to_dsl(listed.problem)).program.question is not None


def test_a_sort_error_goes_back_to_the_model_with_its_span(tmp_path: Path) -> None:
    items = json.loads((DATA / "dev-A.json").read_text(encoding="utf-8"))
    path = tmp_path / "one.json"
    path.write_text(json.dumps([items[0]]), encoding="utf-8")
    wrong = SHELF.replace("pos(blue_book) = 4 :::", "pos(blue_book) = blue_book :::")
    chat = ScriptedChat([wrong, SHELF])
    summary = llm_eval.evaluate(
        path, chat=chat, options=LoopOptions(style="choice", backend="z3"), choice=True
    )
    assert summary.to_dict()["correct"] == 1
    refinement = chat.requests[1].messages[-1].content
    assert "sort_mismatch" in refinement or "is used as" in refinement
    assert "line 10" in refinement


@pytest.mark.parametrize(
    ("recorded", "dataset"),
    [
        ("LogicalDeduction_dev-A_gpt-4.json", "logical_deduction"),
        ("AR-LSAT_dev-A_gpt-4.json", "ar_lsat"),
    ],
)
def test_the_live_loop_on_recordings_scores_what_eval_programs_scores(
    tmp_path: Path, recorded: str, dataset: str
) -> None:
    from logicsvc.evaluation import programs
    from logicsvc.llm.replay import ReplayChat

    recordings = DATA.parent / "llm_programs" / "logiclm" / recorded
    live_out, programs_out = tmp_path / "live.jsonl", tmp_path / "programs.jsonl"
    live = llm_eval.evaluate(
        DATA.parent / dataset / "dev-A.json",
        chat=ReplayChat(recordings),
        options=LoopOptions(style="choice", backend="z3", rounds=0),
        choice=True,
        out=live_out,
    )
    recorded_run = programs.evaluate(recordings, out=programs_out)
    predicted = {
        r["id"]: r["predicted"]
        for r in map(json.loads, programs_out.read_text(encoding="utf-8").splitlines())
    }
    for line in live_out.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record["status"] != "llm_error":  # an item with no recorded program
            assert record["predicted"] == predicted[record["id"]], record["id"]
    assert live.correct == recorded_run.correct
    assert live.executable == recorded_run.executable


def test_declared_values_may_look_like_variables() -> None:
    text = (
        "Sorts:\nSlot = {x, y, z}\nFunctions:\nw : Slot\nPremises:\nw = x\n"
        "Question: must be true\nOptions:\nA) w = x\nB) w = y\n"
    )
    assert provers.choose(load_task(text).problem).answer == "A"
    with pytest.raises(Exception, match="variable 'x' is not bound"):
        load_task("Premises:\nP(x)\nConclusion:\nP(a)\n")


def test_the_question_an_llm_is_shown_names_its_kind() -> None:
    from logicsvc.reasoning import option_text
    from logicsvc.syntax.ast import QuestionKind

    options = [("A", "Bob is big."), ("B", "Bob is small.")]
    assert option_text(options, QuestionKind.MUST_BE_TRUE) == (
        "Which one of the following must be true?\nA) Bob is big.\nB) Bob is small."
    )
    assert option_text(options, QuestionKind.COULD_BE_TRUE_EXCEPT).startswith(
        "Each of the following could be true EXCEPT:\nA) "
    )
