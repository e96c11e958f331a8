"""The in-process vLLM backend's batching, on the engine seam's fake (no vLLM needed)."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from logicsvc.cli import app
from logicsvc.errors import LLMError, LLMUnavailableError
from logicsvc.evaluation.llm_eval import evaluate_async
from logicsvc.llm import ChatRequest, ChatResponse, Message
from logicsvc.llm.fake import ScriptedEngine
from logicsvc.llm.loop import LoopOptions
from logicsvc.llm.vllm_offline import VLLMBackend, VLLMEngine, _sampling_extras
from logicsvc.settings import Settings

GOOD = "Premises:\nMan(socrates)\n∀x (Man(x) → Mortal(x))\nConclusion:\nMortal(socrates)\n"
BROKEN = "Premises:\nMan(socrates) ∧\nConclusion:\nMortal(socrates)\n"


def ask(text: str, n: int = 1) -> ChatRequest:
    return ChatRequest((Message("user", text),), n=n)


def echo(request: ChatRequest) -> list[str]:
    return [f"{request.messages[-1].content}#{i}" for i in range(request.n)]


def run_all(backend: VLLMBackend, requests: list[ChatRequest]) -> list[ChatResponse]:
    async def main() -> list[ChatResponse]:
        return list(await asyncio.gather(*(backend.complete(r) for r in requests)))

    return asyncio.run(main())


def test_concurrent_requests_go_in_one_engine_call_and_come_back_to_their_callers() -> None:
    engine = ScriptedEngine(echo)
    backend = VLLMBackend(engine)
    responses = run_all(backend, [ask(f"p{i}", n=1 + i % 3) for i in range(10)])
    assert [len(b) for b in engine.batches] == [10] == backend.batch_sizes
    for i, response in enumerate(responses):
        assert [c.text for c in response.completions] == [f"p{i}#{k}" for k in range(1 + i % 3)]
        assert response.extra["batch_size"] == 10 and response.calls == 1


def test_max_batch_splits_a_large_wave() -> None:
    engine = ScriptedEngine(echo)
    run_all(VLLMBackend(engine, max_batch=4), [ask(f"p{i}") for i in range(10)])
    assert [len(b) for b in engine.batches] == [4, 4, 2]


def test_requests_arriving_while_the_engine_runs_wait_for_the_next_batch() -> None:
    engine = ScriptedEngine(echo, delay_s=0.3)
    backend = VLLMBackend(engine, linger_s=0.01)

    async def main() -> None:
        first = [asyncio.ensure_future(backend.complete(ask(f"a{i}"))) for i in range(3)]
        await asyncio.sleep(0.1)  # the engine is busy with the first three now
        late = [asyncio.ensure_future(backend.complete(ask(f"b{i}"))) for i in range(2)]
        await asyncio.gather(*first, *late)

    asyncio.run(main())
    assert [[r.messages[0].content for r in b] for b in engine.batches] == [
        ["a0", "a1", "a2"],
        ["b0", "b1"],
    ]


def test_a_refused_request_fails_alone() -> None:
    def reply(request: ChatRequest) -> list[str] | LLMError:
        text = request.messages[-1].content
        return LLMError("the prompt is too long") if text == "bad" else [text]

    engine = ScriptedEngine(reply)

    async def main() -> list[object]:
        backend = VLLMBackend(engine)
        texts = ["ok1", "bad", "ok2"]
        return await asyncio.gather(
            *(backend.complete(ask(t)) for t in texts), return_exceptions=True
        )

    good1, bad, good2 = asyncio.run(main())
    assert isinstance(bad, LLMError) and "too long" in str(bad)
    assert isinstance(good1, ChatResponse) and good1.completions[0].text == "ok1"
    assert isinstance(good2, ChatResponse) and good2.completions[0].text == "ok2"
    assert len(engine.batches) == 1


def test_an_engine_failure_reaches_every_caller_as_an_llm_error() -> None:
    engine = ScriptedEngine(echo, fail=RuntimeError("CUDA out of memory"))
    backend = VLLMBackend(engine)

    async def main() -> list[object]:
        return await asyncio.gather(
            *(backend.complete(ask(f"p{i}")) for i in range(3)), return_exceptions=True
        )

    outcomes = asyncio.run(main())
    assert all(isinstance(o, LLMError) and "CUDA out of memory" in str(o) for o in outcomes)


def test_a_dead_engine_is_unavailable_not_a_per_request_error() -> None:
    class EngineDeadError(RuntimeError):  # what vLLM raises once its engine process died
        pass

    backend = VLLMBackend(ScriptedEngine(echo, fail=EngineDeadError("EngineCore died")))
    with pytest.raises(LLMUnavailableError, match="EngineCore died"):
        asyncio.run(backend.complete(ask("p")))


def test_a_cancelled_caller_does_not_disturb_the_others() -> None:
    engine = ScriptedEngine(echo)
    backend = VLLMBackend(engine, linger_s=0.05)

    async def main() -> str:
        doomed = asyncio.ensure_future(backend.complete(ask("doomed")))
        kept = asyncio.ensure_future(backend.complete(ask("kept")))
        await asyncio.sleep(0)
        doomed.cancel()
        response = await kept
        return response.completions[0].text

    assert asyncio.run(main()) == "kept#0"
    assert [[r.messages[0].content for r in b] for b in engine.batches] == [["kept"]]


def test_bad_requests_and_settings_are_refused_before_the_engine() -> None:
    engine = ScriptedEngine(echo)
    backend = VLLMBackend(engine)
    with pytest.raises(LLMError, match="n >= 1"):
        asyncio.run(backend.complete(ChatRequest((Message("user", "x"),), n=0)))
    assert engine.batches == []
    with pytest.raises(ValueError):
        VLLMBackend(engine, max_batch=0)


def test_one_backend_belongs_to_one_event_loop() -> None:
    backend = VLLMBackend(ScriptedEngine(echo))
    asyncio.run(backend.complete(ask("first")))
    with pytest.raises(RuntimeError, match="event loop"):
        asyncio.run(backend.complete(ask("second")))


def test_refinement_rounds_batch_every_problem_still_failing(tmp_path: Path) -> None:
    """Six problems: one engine call for the six first attempts, one for the six repairs."""
    problems = tmp_path / "problems.jsonl"
    item = {"premises": ["Socrates is a man.", "All men are mortal."], "label": "True"}
    lines = [json.dumps({**item, "conclusion": f"Socrates is mortal ({i})."}) for i in range(6)]
    problems.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def reply(request: ChatRequest) -> list[str]:
        refining = any(m.role == "assistant" for m in request.messages)
        return [GOOD if refining else BROKEN] * request.n

    engine = ScriptedEngine(reply)
    backend = VLLMBackend(engine, linger_s=0.0)  # lockstep rounds need no linger
    summary = asyncio.run(
        evaluate_async(problems, chat=backend, options=LoopOptions(rounds=2), concurrency=64)
    )
    assert backend.batch_sizes == [6, 6]
    assert summary.to_dict()["correct"] == 6 and summary.refined == 6
    assert all(r.grammar is None for b in engine.batches for r in b)


def test_grammar_requests_carry_the_decoding_grammar(tmp_path: Path) -> None:
    problems = tmp_path / "one.jsonl"
    item = {"premises": ["Socrates is a man."], "conclusion": "Socrates is a man.", "label": "True"}
    problems.write_text(json.dumps(item) + "\n", encoding="utf-8")
    engine = ScriptedEngine(lambda r: [GOOD] * r.n)
    asyncio.run(
        evaluate_async(
            problems, chat=VLLMBackend(engine), options=LoopOptions(grammar=True, samples=3)
        )
    )
    (request,) = engine.batches[0]
    assert request.n == 3 and request.grammar is not None
    assert "conclusion: CONCLUSION_HEADER _NL statement _NL" in request.grammar


def test_sampling_extras_from_json_settings() -> None:
    assert _sampling_extras({"logit_bias": {"5": 2}, "top_p": 0.9}) == {
        "logit_bias": {5: 2.0},
        "top_p": 0.9,
    }
    with pytest.raises(LLMError, match="max_tokens, n"):
        _sampling_extras({"n": 2, "max_tokens": 5})


def test_without_a_model_setting_the_backend_says_what_to_set() -> None:
    with pytest.raises(LLMError, match="LOGICSVC_VLLM_MODEL"):
        VLLMBackend.from_settings(Settings(vllm_model=None))


@pytest.mark.skipif(importlib.util.find_spec("vllm") is not None, reason="vLLM is installed")
def test_without_vllm_installed_the_engine_says_how_to_get_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("VLLM_LOGGING_STREAM", raising=False)
    with pytest.raises(LLMError, match="vLLM is not installed"):
        VLLMEngine("some/model")
    # set before vLLM is imported: its logs must not land on our stdout (the JSON summary)
    assert os.environ["VLLM_LOGGING_STREAM"] == "ext://sys.stderr"


def test_cli_vllm_translator_without_a_model_is_a_json_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LOGICSVC_VLLM_MODEL", raising=False)
    monkeypatch.chdir(tmp_path)  # no .env here
    problems = tmp_path / "p.jsonl"
    problems.write_text(json.dumps({"premises": ["A."], "conclusion": "A.", "label": "True"}))
    result = CliRunner().invoke(app, ["eval", "folio", str(problems), "--translator", "vllm"])
    assert result.exit_code == 2
    error = json.loads(next(line for line in result.output.splitlines() if line.startswith("{")))
    assert "LOGICSVC_VLLM_MODEL" in error["error"]["message"]


def test_a_logit_bias_that_is_not_token_ids_is_an_llm_error() -> None:
    with pytest.raises(LLMError, match="logit_bias must map token ids"):
        _sampling_extras({"logit_bias": {"newline": 5}})
