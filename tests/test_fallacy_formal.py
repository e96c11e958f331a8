"""Textbook formal fallacies and valid forms (written for this project): the formal check
must be right on every one, and explain each invalid inference with a countermodel."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from logicsvc.fallacies import Prediction
from logicsvc.fallacies.detector import FallacyDetector
from logicsvc.fallacies.formal import FORMAL_LABEL, check, split_argument
from logicsvc.fallacies.llm import LLMClassifier, parse_answer
from logicsvc.llm.fake import ScriptedChat

INVALID = [
    ("If Bob is rich then Bob is happy. Bob is happy. Therefore, Bob is rich.",
     "affirming the consequent"),
    ("All cats are animals. Tom is an animal. Therefore, Tom is a cat.",
     "affirming the consequent"),
    ("If Bob is rich then Bob is happy. Bob is not rich. Therefore, Bob is not happy.",
     "denying the antecedent"),
    ("All men are mortal. Rex is not a man. Hence Rex is not mortal.",
     "denying the antecedent"),
    ("All cats are mammals. All dogs are mammals. Therefore, all cats are dogs.",
     "undistributed middle"),
    ("All poets are dreamers. All children are dreamers. So all poets are children.",
     "undistributed middle"),
    ("Some cats are black. Some black things are cars. Therefore, some cats are cars.",
     "invalid inference"),
]  # fmt: skip
VALID = [
    ("All men are mortal. Socrates is a man. Therefore, Socrates is mortal.", "modus ponens"),
    ("If Bob is rich then Bob is happy. Bob is not happy. Thus Bob is not rich.",
     "modus tollens"),
    ("All cats are mammals. All mammals are animals. Therefore, all cats are animals.",
     "categorical syllogism (Barbara)"),
    ("No cats are dogs. Tom is a cat. Consequently, Tom is not a dog.", "modus ponens"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "form"), INVALID)
def test_invalid_forms_are_fallacies_with_a_countermodel(text: str, form: str) -> None:
    result = check(text)
    assert result is not None and not result.valid
    assert result.form == form
    assert result.verdict == "unknown" and result.countermodel is not None
    assert result.explanation.startswith("the premises can all be true while the conclusion")
    assert any(f.startswith("¬") for f in result.countermodel["facts"])


@pytest.mark.parametrize(("text", "form"), VALID)
def test_valid_forms_are_proved(text: str, form: str) -> None:
    result = check(text)
    assert result is not None and result.valid and result.verdict == "true"
    assert result.form == form


@pytest.mark.parametrize(
    "text",
    [
        "Everyone I know loves this movie, so it must be great.",  # informal, no marker sentence
        "Bob is rich. Bob is happy.",  # no conclusion
        "Most cats purr. Therefore, Tom purrs loudly at dawn.",  # outside the fragment
    ],
)
def test_no_formal_reading_is_not_guessed(text: str) -> None:
    assert check(text) is None


def test_split_argument() -> None:
    assert split_argument("A is b. Therefore, c is d.") == (["A is b."], "C is d.")
    assert split_argument("Therefore, nothing.") is None


class _Fixed:
    name = "fixed"

    def __init__(self) -> None:
        self.seen: list[str] = []

    async def classify(self, texts: Sequence[str]) -> list[Prediction]:
        self.seen.extend(texts)
        return [Prediction("ad populum", 0.7, "cue: 'everyone'") for _ in texts]


def test_detector_proves_what_it_can_and_classifies_the_rest() -> None:
    inner = _Fixed()
    texts = [INVALID[0][0], "Everyone loves it, so it is good.", VALID[0][0]]
    out = asyncio.run(FallacyDetector(inner).classify(texts))
    assert [p.label for p in out] == [FORMAL_LABEL, "ad populum", "none"]
    assert out[0].formal is not None and out[0].confidence == 1.0
    assert "affirming the consequent" in out[0].rationale
    assert inner.seen == [texts[1]]  # only the informal text reached the classifier


def test_llm_classifier_parses_and_guards_answers() -> None:
    chat = ScriptedChat(['Sure: {"label": "ad hominem", "confidence": 0.8, "rationale": "x"}'])
    (answer,) = asyncio.run(LLMClassifier(chat).classify(["He is a fool, so he is wrong."]))
    assert (answer.label, answer.confidence) == ("ad hominem", 0.8)
    assert "He is a fool" in chat.requests[0].messages[-1].content
    assert "ad hominem:" in chat.requests[0].messages[0].content
    # an unusable answer is no answer (an error line), not the label 'none' (issue 17, 15)
    for unusable in ("no json", '{"label": "straw man"}'):
        failed = parse_answer(unusable).to_dict()
        assert failed["label"] is None and failed["error"]["code"] == "llm_bad_answer"
    assert parse_answer('{"label": "none", "rationale": "sound"}').label == "none"
    assert parse_answer('{"label": "False Dilemma", "confidence": 7}').confidence == 1.0
