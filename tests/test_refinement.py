"""The self-refinement loop against a scripted chat: errors go back verbatim, attempts are kept."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import pytest

from logicsvc import provers
from logicsvc.errors import LLMError, LLMUnavailableError
from logicsvc.llm import ChatRequest, ChatResponse, Completion
from logicsvc.llm.fake import ScriptedChat
from logicsvc.llm.loop import LoopOptions, solve, solve_many
from logicsvc.llm.outcome import LoopResult
from logicsvc.llm.prompts import dsl_reference, extract_program, first_messages, load_template
from logicsvc.load import load_problem
from logicsvc.provers import Result

PREMISES = ["All men are mortal.", "Socrates is a man."]
CONCLUSION = "Socrates is mortal."
GOOD = "Premises:\n∀x (Man(x) → Mortal(x))\nMan(socrates)\nConclusion:\nMortal(socrates)\n"
NEGATED = "Premises:\n∀x (Man(x) → Mortal(x))\nMan(socrates)\nConclusion:\n¬Mortal(socrates)\n"
UNKNOWN = "Premises:\n∀x (Man(x) → Mortal(x))\nMan(plato)\nConclusion:\nMortal(socrates)\n"
MISSING_PAREN = "Premises:\n∀x (Man(x) → Mortal(x)\nMan(socrates)\nConclusion:\nMortal(socrates)\n"
BAD_TOKEN = "Premises:\n∀x (Man(x) ∈ Mortal)\nMan(socrates)\nConclusion:\nMortal(socrates)\n"
ARITY = "Premises:\n∀x (Man(x) → Mortal(x))\nMan(socrates)\nConclusion:\nMortal(socrates, athens)\n"
CONTRADICTORY = (
    "Premises:\n∀x (Man(x) → Mortal(x))\nMan(socrates)\n¬Mortal(socrates)\n"
    "Conclusion:\nMortal(socrates)\n"
)


def run(chat: ScriptedChat, **kwargs: Any) -> LoopResult:
    return asyncio.run(solve(PREMISES, CONCLUSION, chat=chat, options=LoopOptions(**kwargs)))


def last_user(request: ChatRequest) -> str:
    assert request.messages[-1].role == "user"
    return request.messages[-1].content


def test_syntax_error_goes_back_with_line_column_caret_and_expected_token() -> None:
    chat = ScriptedChat([MISSING_PAREN, GOOD])
    result = run(chat, lenient=False)
    assert (result.status, result.verdict, result.refined) == ("ok", "true", True)
    assert result.llm_calls == 2 and chat.calls == 2 and len(result.attempts) == 2
    first, second = result.attempts
    assert first.error is not None and first.error["code"] == "syntax_error"
    assert first.error["span"]["line"] == 2 and first.error["expected"] == ["')'"]
    assert (second.round, second.status, second.error) == (1, "ok", None)
    refine = chat.requests[1]
    text = last_user(refine)
    assert "line 2, column 23: unexpected end of line; expected ')'" in text
    assert "∀x (Man(x) → Mortal(x)\n" + " " * 22 + "^" in text  # the caret line
    assert MISSING_PAREN.strip() in text  # the previous program, whole
    assert " ".join(PREMISES) in text and CONCLUSION in text  # replay servers match on it
    assert refine.messages[-2].role == "assistant"
    assert refine.messages[-2].content == MISSING_PAREN.strip()
    assert refine.messages[: len(chat.requests[0].messages)] == chat.requests[0].messages
    assert (refine.n, refine.temperature) == (1, 0.0)
    assert result.program == GOOD and result.result is not None
    assert result.first_round_verdict is None
    assert result.prompt_tokens == sum(a.prompt_tokens for a in result.attempts) > 0


def test_lenient_error_lists_every_expected_token() -> None:
    chat = ScriptedChat([BAD_TOKEN, GOOD])
    result = run(chat)
    assert result.verdict == "true" and result.attempts[0].error is not None
    assert "unexpected '∈'; expected one of ')', ∧, ∨, ⊕, →, ↔" in last_user(chat.requests[1])


def test_semantic_error_is_refined() -> None:
    chat = ScriptedChat([ARITY, GOOD])
    result = run(chat)
    assert (result.status, result.verdict, result.refined) == ("ok", "true", True)
    error = result.attempts[0].error
    assert error is not None and error["code"] == "arity_mismatch"
    text = last_user(chat.requests[1])
    assert "line 5, column 1: predicate 'Mortal' has 2 argument(s)" in text
    assert "Mortal(socrates, athens)\n^^^^" in text


def test_contradictory_premises_are_refined_and_name_the_premises() -> None:
    chat = ScriptedChat([CONTRADICTORY, GOOD])
    result = run(chat)
    assert (result.status, result.verdict, result.refined) == ("ok", "true", True)
    first = result.attempts[0]
    assert first.status == "contradictory_premises" and first.error is not None
    assert first.error["code"] == "contradictory_premises"
    text = last_user(chat.requests[1])
    assert "contradict" in text and "line 4: ¬Mortal(socrates)" in text


def test_contradiction_that_outlives_the_budget_is_the_outcome() -> None:
    result = run(ScriptedChat([CONTRADICTORY, MISSING_PAREN]), rounds=1, lenient=False)
    assert (result.status, result.verdict, result.votes) == ("contradictory_premises", None, {})
    assert result.result is not None and result.result.status == "contradictory_premises"
    assert result.program == CONTRADICTORY and not result.refined


def test_budget_exhausted_records_every_error() -> None:
    chat = ScriptedChat([MISSING_PAREN, BAD_TOKEN, ARITY])
    result = run(chat, rounds=2, lenient=False)
    assert (result.status, result.verdict, result.program, result.result) == (
        "all_failed",
        None,
        None,
        None,
    )
    assert [a.round for a in result.attempts] == [0, 1, 2] and result.llm_calls == 3
    codes = [a.error["code"] for a in result.attempts if a.error is not None]
    assert codes == ["syntax_error", "syntax_error", "arity_mismatch"]
    assert not result.refined and result.votes == {}
    assert BAD_TOKEN.strip() in last_user(chat.requests[2])  # each round shows its own program


def test_self_consistency_majority() -> None:
    chat = ScriptedChat([GOOD, NEGATED, GOOD])
    result = run(chat, samples=3)
    assert (result.status, result.verdict, result.votes) == ("ok", "true", {"false": 1, "true": 2})
    assert chat.calls == 1 and chat.requests[0].n == 3 and chat.requests[0].temperature > 0
    assert result.first_round_verdict == "true" and not result.refined


@pytest.mark.parametrize(
    "programs", [[GOOD, NEGATED, UNKNOWN], [GOOD, NEGATED], [GOOD, GOOD, NEGATED, NEGATED]]
)
def test_a_tie_is_reported_never_guessed(programs: list[str]) -> None:
    result = run(ScriptedChat(programs), samples=len(programs))
    assert (result.status, result.verdict, result.program) == ("tie", None, None)
    assert sum(result.votes.values()) == len(programs) and len(result.votes) >= 2


def test_failing_samples_are_refined_concurrently_and_then_vote() -> None:
    started: list[str] = []
    both_in_flight = asyncio.Event()

    class Barrier(ScriptedChat):
        async def complete(self, request: ChatRequest) -> ChatResponse:
            if request.n == 1:
                started.append(request.messages[-2].content)
                if len(started) == 2:
                    both_in_flight.set()
                await asyncio.wait_for(both_in_flight.wait(), timeout=2)
            return await super().complete(request)

    def script(request: ChatRequest) -> list[str]:
        return [BAD_TOKEN, NEGATED, ARITY] if request.n == 3 else [GOOD]

    result = run(Barrier(script), samples=3)
    assert sorted(started) == sorted([BAD_TOKEN.strip(), ARITY.strip()])
    assert (result.status, result.verdict, result.refined) == ("ok", "true", True)
    assert result.first_round_verdict == "false" and result.llm_calls == 3
    assert [(a.sample, a.round) for a in result.attempts] == [
        (0, 0),
        (1, 0),
        (2, 0),
        (0, 1),
        (2, 1),
    ]


def test_truncated_completion_is_refined() -> None:
    cut = Completion(GOOD[:30], finish_reason="length", completion_tokens=2048)
    chat = ScriptedChat([cut, GOOD])
    result = run(chat)
    first = result.attempts[0]
    assert first.error is not None and first.error["code"] == "truncated"
    assert first.status is None and first.finish_reason == "length"
    assert "cut off" in last_user(chat.requests[1])
    assert (result.verdict, result.refined, result.completion_tokens) == (
        "true",
        True,
        2048 + len(GOOD.split()),
    )


def test_fragment_error_and_prover_timeout_are_refined(monkeypatch: pytest.MonkeyPatch) -> None:
    xor = "Premises:\nMan(socrates) ⊕ Mortal(socrates)\nConclusion:\nMortal(socrates)\n"
    result = run(ScriptedChat([xor, GOOD]), backend="backward")
    error = result.attempts[0].error
    assert error is not None and error["code"] == "outside_fragment"
    assert result.verdict == "true"

    real = provers.prove
    answers = iter([Result(status="timeout", backend="z3"), None])

    def flaky(*args: Any, **kwargs: Any) -> Result:
        return next(answers) or real(*args, **kwargs)

    monkeypatch.setattr(provers, "prove", flaky)
    chat = ScriptedChat([GOOD, GOOD])
    result = run(chat)
    assert result.attempts[0].status == "timeout" and result.verdict == "true"
    assert "ran out of time" in last_user(chat.requests[1])


def test_our_own_bug_is_recorded_not_refined(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> Result:
        raise RuntimeError("boom")

    monkeypatch.setattr(provers, "prove", broken)
    chat = ScriptedChat([GOOD])
    result = run(chat)
    assert result.status == "all_failed" and chat.calls == 1
    assert result.attempts[0].error == {"code": "internal_error", "message": "RuntimeError: boom"}


def test_llm_errors_propagate() -> None:
    with pytest.raises(LLMUnavailableError):
        run(ScriptedChat([LLMUnavailableError("connection refused")]))
    with pytest.raises(LLMError, match="replies left"):
        run(ScriptedChat([]))  # the first round failed: nothing to answer with
    # a failed refinement call is recorded instead (see the test below)
    result = run(ScriptedChat([MISSING_PAREN]), lenient=False)
    assert result.attempts[-1].error is not None
    assert "replies left" in result.attempts[-1].error["message"]


def test_a_server_without_n_is_asked_once_per_missing_sample() -> None:
    chat = ScriptedChat(lambda request: [GOOD])
    result = run(chat, samples=3)
    assert [r.n for r in chat.requests] == [3, 1, 1] and result.llm_calls == 3
    assert result.votes == {"true": 3}


def test_proofwriter_style_completion_is_converted() -> None:
    pytest.importorskip("logicsvc.translate.formats")
    program = (
        "Predicates:\nMan($x, bool) ::: Is x a man?\nMortal($x, bool) ::: Is x mortal?\n"
        "Facts:\nMan(Socrates, True) ::: Socrates is a man.\n"
        "Rules:\nMan($x, True) >>> Mortal($x, True) ::: All men are mortal.\n"
        "Query:\nMortal(Socrates, False) ::: Socrates is not mortal.\n"
    )
    result = run(ScriptedChat([program]), world="explicit")
    assert (result.status, result.verdict) == ("ok", "false")
    attempt = result.attempts[0]
    assert attempt.program == program and attempt.dsl is not None and "∀x" in attempt.dsl


def test_prompt_carries_premises_verbatim_reference_and_settings() -> None:
    chat = ScriptedChat([GOOD])
    premises = ["Brace {conclusion} stays {literal}.", "Socrates is a man."]
    options = LoopOptions(grammar=True, style="rulebase")
    asyncio.run(solve(premises, CONCLUSION, chat=chat, options=options))
    request = chat.requests[0]
    assert (request.n, request.temperature) == (1, 0.0)
    assert request.grammar is not None and "start" in request.grammar
    user = last_user(request)
    assert "Brace {conclusion} stays {literal}. Socrates is a man." in user
    assert user.rstrip().endswith(f"{CONCLUSION}\n\nProgram:")
    everything = "\n".join(m.content for m in request.messages)
    assert dsl_reference() in everything and "If something is big" in everything
    assert "{dsl_reference}" not in everything and "{premises}" not in everything
    folio = "\n".join(m.content for m in first_messages(PREMISES, CONCLUSION, "folio"))
    assert "Lindqvist Quartet" in folio and dsl_reference() in folio


@pytest.mark.parametrize(
    ("style", "verdicts"),
    [("folio", ["true", "unknown", "false"]), ("rulebase", ["true", "false", "unknown"])],
)
def test_few_shot_examples_are_valid_programs(style: str, verdicts: list[str]) -> None:
    text = "".join(body for _, body in load_template(style))
    examples = re.findall(r"```\n(.*?)```", text, re.S)
    got = [provers.prove(load_problem(e).problem).verdict for e in examples]
    assert got == verdicts


@pytest.mark.parametrize(
    "reply",
    [
        f"```\n{GOOD}```",
        f"Here is the program:\n\n```fol\n{GOOD}```\nThe answer is True.",
        f"Sure. Let me translate.\n{GOOD}",
        f"```text\n{GOOD}",  # an unterminated fence (a cut-off reply)
        f"Notes first:\n```\nnot a program\n```\n```\n{GOOD}```",
        f"Original:\n```\n{NEGATED}```\nCorrected:\n```\n{GOOD}```\n",  # the last one counts
        f"<think>\n```\n{NEGATED}```\n</think>\n```\n{GOOD}```",  # a draft is not the answer
        f"\ufeff{GOOD}",
    ],
)
def test_fences_and_chatter_are_stripped(reply: str) -> None:
    assert extract_program(reply) == GOOD


@pytest.mark.parametrize(
    "program",
    [
        "Premises:\nP(a) ::: see ``` here\nQ(a) ::: and <think>x</think>\nConclusion:\nP(a)\n",
        "Premises:\n~~~P(a)\nConclusion:\n~P(a) ::: ~~~ fenced? no\n",
        # what a random model wrote under the decoding grammar (vLLM test): a gloss with ```
        "Premises:\nA ::: x ```y\nConclusion:\n   Career :::llText1 Tiredt C high\n",
    ],
)
def test_a_grammar_valid_program_comes_back_whole(program: str) -> None:
    from logicsvc.syntax import parse_program

    parse_program(program)  # strict: it is a program
    assert extract_program(program) == program


def test_an_aside_in_a_fence_does_not_replace_an_unfenced_program() -> None:
    reply = f"{GOOD}\nQuick check:\n```\nMortal(socrates)\n```\n"
    assert extract_program(reply).startswith(GOOD)  # the parser points at the aside


def test_a_complete_fenced_program_is_judged_though_the_reply_was_cut_off() -> None:
    """finish_reason ``length`` after a closed fence: the program itself is whole."""
    rambling = f"```\n{GOOD}```\nThe answer is True because " + "and so " * 50
    cut = Completion(rambling, finish_reason="length", prompt_tokens=1, completion_tokens=9)
    unfenced = Completion(GOOD[:-20], finish_reason="length", prompt_tokens=1, completion_tokens=9)
    result = run(ScriptedChat([cut]), rounds=0)
    assert (result.status, result.verdict) == ("ok", "true")
    result = run(ScriptedChat([unfenced]), rounds=0)
    assert result.attempts[0].error is not None
    assert result.attempts[0].error["code"] == "truncated"


def test_a_server_refusing_n_gets_one_request_per_sample() -> None:
    """llama.cpp's server answers n > 1 with an error: ask once per sample instead."""

    def script(request: ChatRequest) -> list[str | Exception]:
        if request.n > 1:
            return [LLMError("HTTP 400: Only one completion choice is allowed")]
        return [GOOD]

    chat = ScriptedChat(script)
    result = run(chat, samples=3, rounds=0)
    assert [r.n for r in chat.requests] == [3, 1, 1, 1]
    assert (result.status, result.verdict, result.votes) == ("ok", "true", {"true": 3})
    assert result.llm_calls == 4

    def down(request: ChatRequest) -> list[str | Exception]:
        return [LLMError(f"HTTP 400: refused n={request.n}")]

    with pytest.raises(LLMError, match="refused n=1"):  # no sample came: the question fails
        run(ScriptedChat(down), samples=3, rounds=0)


def test_a_failed_sample_request_keeps_the_samples_that_came() -> None:
    """One of three single requests fails: two samples vote, the third is on record."""
    replies: list[str | Exception] = [GOOD, LLMError("HTTP 500: overloaded"), GOOD]

    def script(request: ChatRequest) -> list[str | Exception]:
        return [] if request.n > 1 else [replies.pop(0)]  # the server ignores n, sends none

    chat = ScriptedChat(script)
    result = run(chat, samples=3, rounds=1)
    assert (result.status, result.verdict, result.votes) == ("ok", "true", {"true": 2})
    failed = [a for a in result.attempts if a.error and a.error["code"] == "llm_error"]
    assert len(failed) == 1 and "overloaded" in failed[0].error["message"]  # type: ignore[index]
    assert len(chat.requests) == 4  # the failed call is not retried by refinement


@pytest.mark.parametrize(
    "program",
    [
        "Premises: # the facts\nP(a)\nConclusion:\nP(a)\n",
        "Premises:\r\nP(a)\r\nConclusion:\r\nP(a)\n",
        "  Predicates:#x\nP(x)\nPremises:\nP(a)\nConclusion:\nP(a)\n",
    ],
)
def test_a_header_with_a_comment_or_crlf_starts_the_program(program: str) -> None:
    """Grammar-constrained output is the program itself; nothing of it may be cut."""
    assert extract_program(program) == program.rstrip() + "\n"
    assert extract_program("Sure:\n" + program) == extract_program(program)


def test_result_is_json_serialisable() -> None:
    result = run(ScriptedChat([MISSING_PAREN, GOOD]), lenient=False)
    data = json.loads(json.dumps(result.to_dict()))
    assert data["attempts"][0]["error"]["code"] == "syntax_error"
    assert data["result"]["verdict"] == "true" and data["votes"] == {"true": 1}


def test_solve_many_runs_rounds_in_lockstep_and_isolates_llm_errors() -> None:
    """Round by round: all first requests, then all refinements; one failing call stays put."""
    rounds_seen: list[int] = []

    def reply(request: ChatRequest) -> list[Any]:
        prompt = request.messages[-1].content
        refining = any(m.role == "assistant" for m in request.messages)
        rounds_seen.append(int(refining))
        if "Plato" in prompt:
            return [LLMError("the model refused")]
        return [GOOD if refining else MISSING_PAREN] * request.n

    chat = ScriptedChat(reply)
    questions = [
        (PREMISES, CONCLUSION),
        (["Plato is a man."], "Plato is mortal."),
        *[(PREMISES, CONCLUSION)] * 2,
    ]
    outcomes = asyncio.run(solve_many(questions, chat=chat, options=LoopOptions(lenient=False)))
    assert isinstance(outcomes[1], LLMError) and "refused" in str(outcomes[1])
    for outcome in (outcomes[0], *outcomes[2:]):
        assert isinstance(outcome, LoopResult) and outcome.verdict == "true" and outcome.refined
    assert rounds_seen == [0, 0, 0, 0, 1, 1, 1]  # every first request before any refinement


def test_solve_many_raises_when_the_server_is_gone() -> None:
    chat = ScriptedChat(lambda request: [LLMUnavailableError("connection refused")])
    with pytest.raises(LLMUnavailableError):
        asyncio.run(solve_many([(PREMISES, CONCLUSION)] * 3, chat=chat))


def test_a_failed_refinement_call_ends_the_sample_and_keeps_what_came_before() -> None:
    def reply(request: ChatRequest) -> list[Any]:
        if any(m.role == "assistant" for m in request.messages):
            return [LLMError("the prompt is 5000 tokens; the model's context holds 4096")]
        return [MISSING_PAREN] * request.n

    chat = ScriptedChat(reply)
    result = run(chat, lenient=False, rounds=3)
    assert result.status == "all_failed" and chat.calls == 2  # no retry of a failed call
    first, second = result.attempts
    assert first.error is not None and first.error["code"] == "syntax_error"
    assert second.round == 1 and second.error is not None
    assert second.error["code"] == "llm_error" and "context holds" in second.error["message"]


def test_an_eval_record_names_the_error_its_outcome_rests_on() -> None:
    """A contradiction the refinement then broke: the record's error is the contradiction."""
    from logicsvc.evaluation.items import NLItem
    from logicsvc.evaluation.llm_eval import record_of

    result = run(ScriptedChat([CONTRADICTORY, BAD_TOKEN]), rounds=1)
    assert result.status == "contradictory_premises"
    assert result.attempts[-1].error["code"] == "syntax_error"  # type: ignore[index]
    record = record_of(NLItem("q", tuple(PREMISES), CONCLUSION, "true"), result)
    assert record["error"]["code"] == result.attempts[0].error["code"]  # type: ignore[index]
    assert record["error"]["code"] != "syntax_error"
