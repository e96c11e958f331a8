"""The replay server over real HTTP on loopback: OpenAI response shapes, matching, latency."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from logicsvc.llm.replay_server import (
    create_replay_app,
    load_recorded,
    replay_state,
    serve_in_thread,
)

LOGICLM = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "llm_programs" / "logiclm"
FOLIO_GPT4 = LOGICLM / "FOLIO_dev-A_gpt-4.json"

SHARED_CONTEXT = "All cats are animals. Tom is a cat."
SYNTHETIC = [
    {
        "id": "syn_0",
        "context": SHARED_CONTEXT,
        "question": "Is the following statement true, false, or uncertain? Tom is an animal.",
        "options": ["A) True", "B) False", "C) Uncertain"],
        "answer": "A",
        "raw_logic_programs": ["PROGRAM-ANIMAL"],
    },
    {
        "id": "syn_1",
        "context": SHARED_CONTEXT,
        "question": "Is the following statement true, false, or uncertain? Tom is a dog.",
        "options": ["A) True", "B) False", "C) Uncertain"],
        "answer": "C",
        "raw_logic_programs": ["PROGRAM-DOG"],
    },
    {
        "id": "syn_2",
        "context": "Birds   fly.\nTweety is a bird.",
        "question": "Is the following statement true, false, or uncertain? Tweety flies.",
        "options": [],
        "answer": "A",
        "raw_logic_programs": ["PROGRAM TWEETY has five words"],
    },
    {"id": "syn_3", "context": "No program here.", "question": "?", "raw_logic_programs": []},
    # Both statements also occur in the shared context: they are looked for after it.
    {
        "id": "syn_4",
        "context": "Anne is red. Bob is blue.",
        "question": "Is the following statement true, false, or unknown? Anne is red.",
        "raw_logic_programs": ["PROGRAM-ANNE"],
    },
    {
        "id": "syn_5",
        "context": "Anne is red. Bob is blue.",
        "question": "Is the following statement true, false, or unknown? Bob is blue.",
        "raw_logic_programs": ["PROGRAM-BOB"],
    },
]


@pytest.fixture
def synthetic(tmp_path: Path) -> Path:
    path = tmp_path / "synthetic.json"
    path.write_text(json.dumps(SYNTHETIC), encoding="utf-8")
    return path


@pytest.fixture
def folio() -> list[dict[str, Any]]:
    if not FOLIO_GPT4.is_file():
        pytest.skip(f"recorded programs not found at {FOLIO_GPT4}")
    data: list[dict[str, Any]] = json.loads(FOLIO_GPT4.read_text(encoding="utf-8"))
    return data


def chat(base_url: str, user: str, **fields: Any) -> httpx.Response:
    body = {"model": "replay", "messages": [{"role": "user", "content": user}], **fields}
    return httpx.post(f"{base_url}/chat/completions", json=body, timeout=10)


def test_models_lists_one_openai_style_card(synthetic: Path) -> None:
    app = create_replay_app(synthetic, model="m1")
    with serve_in_thread(app) as url:
        body = httpx.get(f"{url}/models", timeout=10).json()
    assert body["object"] == "list"
    assert [(c["id"], c["object"], c["owned_by"]) for c in body["data"]] == [
        ("m1", "model", "logicsvc-replay")
    ]


def test_recorded_folio_program_comes_back_n_times(folio: list[dict[str, Any]]) -> None:
    item = folio[3]
    # Reflowed white space in the prompt must not matter.
    prompt = "Translate.\n\n" + item["context"].replace(". ", ".\n  ") + "\n" + item["question"]
    with serve_in_thread(create_replay_app(FOLIO_GPT4)) as url:
        response = chat(url, prompt, n=3, temperature=0.7, max_tokens=64)
    assert response.status_code == 200
    body = response.json()
    program = item["raw_logic_programs"][0]
    assert [c["message"]["content"] for c in body["choices"]] == [program] * 3
    assert [c["finish_reason"] for c in body["choices"]] == ["stop"] * 3
    assert [c["index"] for c in body["choices"]] == [0, 1, 2]
    usage = body["usage"]
    assert usage["prompt_tokens"] == len(prompt.split())
    assert usage["completion_tokens"] == 3 * len(program.split())
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]


def test_shared_context_is_told_apart_by_question(synthetic: Path) -> None:
    with serve_in_thread(create_replay_app(synthetic)) as url:
        dog = chat(url, f"{SHARED_CONTEXT}\n{SYNTHETIC[1]['question']}").json()
        animal = chat(url, f"{SHARED_CONTEXT}\nQuestion: {SYNTHETIC[0]['question']}").json()
        statement_only = chat(url, f"{SHARED_CONTEXT}\nClaim: Tom is a dog.").json()
        ambiguous = chat(url, SHARED_CONTEXT)
        bob = chat(url, f"Anne is red. Bob is blue.\n\n{SYNTHETIC[5]['question']}").json()
        statement_after = chat(url, "Anne is red. Bob is blue.\n\nBob is blue.").json()
        neither = chat(url, "Anne is red. Bob is blue.\n\nIs Carl green?")
    assert dog["choices"][0]["message"]["content"] == "PROGRAM-DOG"
    assert animal["choices"][0]["message"]["content"] == "PROGRAM-ANIMAL"
    assert statement_only["choices"][0]["message"]["content"] == "PROGRAM-DOG"
    assert ambiguous.status_code == 404
    assert ambiguous.json()["error"]["code"] == "ambiguous_recorded_program"
    assert bob["choices"][0]["message"]["content"] == "PROGRAM-BOB"
    assert statement_after["choices"][0]["message"]["content"] == "PROGRAM-BOB"
    assert neither.json()["error"]["code"] == "ambiguous_recorded_program"


def test_unknown_context_is_an_openai_style_404(synthetic: Path) -> None:
    with serve_in_thread(create_replay_app(synthetic)) as url:
        response = chat(url, "Nothing recorded says this.")
        # Only the LAST user message is searched.
        earlier = httpx.post(
            f"{url}/chat/completions",
            json={
                "model": "replay",
                "messages": [
                    {"role": "user", "content": "Birds fly. Tweety is a bird."},
                    {"role": "assistant", "content": "ok"},
                    {"role": "user", "content": "Try again."},
                ],
            },
            timeout=10,
        )
    for r in (response, earlier):
        assert r.status_code == 404
        error = r.json()["error"]
        assert error["type"] == "invalid_request_error"
        assert error["code"] == "no_recorded_program"
        assert error["message"]


def test_items_are_indexed_once_at_startup(synthetic: Path) -> None:
    app = create_replay_app(synthetic)
    synthetic.unlink()  # no per-request file reads: answering must still work
    with serve_in_thread(app) as url:
        response = chat(url, "Birds fly. Tweety is a bird. Does Tweety fly?")
    assert response.json()["choices"][0]["message"]["content"] == "PROGRAM TWEETY has five words"
    assert response.json()["usage"]["completion_tokens"] == 5


def test_request_body_is_recorded_with_extra_fields(synthetic: Path) -> None:
    app = create_replay_app(synthetic)
    extra = {"structured_outputs": {"grammar": "start: problem"}}
    with serve_in_thread(app) as url:
        chat(url, "Birds fly. Tweety is a bird.", **extra)
    state = replay_state(app)
    assert state.requests == 1
    assert state.last_request["structured_outputs"] == extra["structured_outputs"]


def test_latency_overlaps_across_concurrent_requests(synthetic: Path) -> None:
    app = create_replay_app(synthetic, latency_s=0.3)
    with serve_in_thread(app) as url, ThreadPoolExecutor(4) as pool:
        codes = list(
            pool.map(lambda _: chat(url, "Birds fly. Tweety is a bird.").status_code, range(4))
        )
    assert codes == [200] * 4
    state = replay_state(app)
    assert state.max_in_flight == 4
    assert state.in_flight == 0


def test_loading_folders_and_rejecting_empty_input(synthetic: Path, tmp_path: Path) -> None:
    assert [i.id for i in load_recorded(synthetic.parent)] == [
        "syn_0",
        "syn_1",
        "syn_2",
        "syn_4",
        "syn_5",
    ]
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "none.json").write_text(json.dumps([SYNTHETIC[3]]), encoding="utf-8")
    with pytest.raises(ValueError, match="no recorded programs"):
        load_recorded(empty)
    (empty / "none.json").write_text("{}", encoding="utf-8")
    with pytest.raises(ValueError, match="JSON list"):
        load_recorded(empty / "none.json")


def test_serve_replay_runs_uvicorn_in_a_subprocess(synthetic: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code = (
        "from pathlib import Path; from logicsvc.llm.replay_server import serve_replay; "
        f"serve_replay(Path({str(synthetic)!r}), port={port})"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                models = httpx.get(f"http://127.0.0.1:{port}/v1/models", timeout=1).json()
                break
            except httpx.TransportError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("serve_replay did not come up")
                time.sleep(0.05)
        answer = chat(f"http://127.0.0.1:{port}/v1", "Birds fly. Tweety is a bird.").json()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert models["data"][0]["id"] == "replay"
    assert answer["choices"][0]["message"]["content"] == "PROGRAM TWEETY has five words"
