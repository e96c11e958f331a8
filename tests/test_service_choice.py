"""Multiple-choice questions over HTTP: a question program on /v1/prove, options beside
premises on /v1/reason and in a batch (the service started for real, as in test_service)."""

from __future__ import annotations

import typing
from collections.abc import Iterator

import httpx
import pytest

from logicsvc.service.schemas import QuestionKindName
from logicsvc.syntax.ast import QuestionKind
from tests.test_choice_loop import SHELF
from tests.test_service import serve


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with serve("serve") as url:
        yield url


def test_the_schema_names_every_question_kind() -> None:
    assert set(typing.get_args(QuestionKindName)) == {k.value for k in QuestionKind}


def test_prove_answers_a_question_program(base_url: str) -> None:
    body = httpx.post(f"{base_url}/v1/prove", json={"program": SHELF}, timeout=30).json()
    assert body["status"] == "ok" and body["answer"] == "D" and body["kind"] == "must be true"
    d = next(o for o in body["options"] if o["label"] == "D")
    assert d["entailed"] and d["used_premises"] == [4]


def test_a_sort_error_is_a_422_with_its_span(base_url: str) -> None:
    bad = SHELF.replace("pos(blue_book) = 4", "pos(blue_book) = green_book")
    response = httpx.post(f"{base_url}/v1/prove", json={"program": bad}, timeout=30)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "sort_mismatch" and error["span"]["line"] == 10


def test_reason_with_options_offline(base_url: str) -> None:
    request = {
        "premises": ["All men are mortal.", "Socrates is a man."],
        "options": ["A) Socrates is not mortal.", "B) Socrates is mortal."],
        "question": "must be true",
    }
    body = httpx.post(f"{base_url}/v1/reason", json=request, timeout=30).json()
    assert body["status"] == "ok" and body["answer"] == "B" and body["translator"] == "rules"
    assert "Question: must be true" in body["program"]
    assert body["used_sentences"] == ["All men are mortal.", "Socrates is a man."]
    request["question"] = "could be true except"
    body = httpx.post(f"{base_url}/v1/reason", json=request, timeout=30).json()
    assert body["answer"] == "A"


def test_batch_mixes_conclusions_and_options(base_url: str) -> None:
    premises = ["All men are mortal.", "Socrates is a man."]
    problems = [
        {"premises": premises, "conclusion": "Socrates is mortal."},
        {"premises": premises, "options": ["Socrates is mortal.", "Socrates is not mortal."]},
        {"premises": premises, "conclusion": "Socrates is mortal.", "options": ["x"]},
    ]
    response = httpx.post(f"{base_url}/v1/reason/batch", json={"problems": problems}, timeout=30)
    if response.status_code == 422:  # one bad problem refuses the batch's schema
        assert "either 'conclusion' or 'options'" in response.text
        response = httpx.post(
            f"{base_url}/v1/reason/batch", json={"problems": problems[:2]}, timeout=30
        )
    results = response.json()["results"]
    assert results[0]["verdict"] == "true" and results[1]["answer"] == "A"


def test_reason_answers_an_ordering_puzzle_offline(base_url: str) -> None:
    request = {
        "premises": [
            "On a branch, there are three birds: a quail, an owl, and a raven. "
            "The owl is the leftmost. The raven is to the left of the quail."
        ],
        "options": [
            "A) The quail is the second from the left.",
            "B) The raven is the second from the left.",
        ],
    }
    body = httpx.post(f"{base_url}/v1/reason", json=request, timeout=30).json()
    assert body["status"] == "ok" and body["answer"] == "B" and body["llm_calls"] == 0
    assert "B) raven = 2" in body["program"] and body["translator"] == "rules"
    assert body["used_sentences"] == [
        "On a branch, there are three birds: a quail, an owl, and a raven.",
        "The owl is the leftmost.",
        "The raven is to the left of the quail.",
    ]
    request["premises"] = [request["premises"][0] + " The owl is heavier than the quail."]
    response = httpx.post(f"{base_url}/v1/reason", json=request, timeout=30)
    error = response.json()["error"]
    assert response.status_code == 422 and error["code"] == "untranslatable"
    assert error["sentence_index"] == 3 and error["sentence"].startswith("The owl is heavier")


def test_a_question_kind_without_options_is_refused(base_url: str) -> None:
    request = {
        "premises": ["Bob is big."],
        "conclusion": "Bob is big.",
        "question": "could be true",
    }
    response = httpx.post(f"{base_url}/v1/reason", json=request, timeout=30)
    assert response.status_code == 422
    assert "'question' goes with 'options'" in response.json()["error"]["message"]
