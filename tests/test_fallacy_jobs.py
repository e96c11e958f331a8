"""The fallacy job runner: inputs, ids, bad rows, resume, kill -9, classifier failures, order."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from logicsvc.errors import InputError, LogicsvcError
from logicsvc.fallacies import Prediction
from logicsvc.fallacies.jobs import JobSummary, run_job
from tests.fallacy_job_helpers import ScriptedClassifier, label_for

REPO = Path(__file__).resolve().parents[1]
PHRASES = (
    "You are an idiot, so your plan fails.",
    "Everyone buys it, so it must be good.",
    "Either we ban cars or the city dies.",
    "Students always cheat on exams.",
    "It rained because I washed my car.",
    "The meeting is at noon.",
)


def texts(n: int) -> list[str]:
    return [f"post {i}: {PHRASES[i % len(PHRASES)]}" for i in range(n)]


def write_jsonl(path: Path, records: Sequence[dict[str, Any] | str]) -> Path:
    lines = [r if isinstance(r, str) else json.dumps(r) for r in records]
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def job(source: Path, out: Path, classifier: Any = None, **options: Any) -> JobSummary:
    options.setdefault("progress", False)
    return asyncio.run(run_job(source, out, classifier or ScriptedClassifier(), **options))


def read_out(out: Path) -> list[dict[str, Any]]:
    raw = out.read_bytes()
    assert raw == b"" or raw.endswith(b"\n")
    return [json.loads(line) for line in raw.split(b"\n")[:-1]]


def stable_id(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:16]


# --- inputs and ids ------------------------------------------------------------------


def test_jsonl_with_id_field(tmp_path: Path) -> None:
    items = texts(10)
    source = write_jsonl(
        tmp_path / "in.jsonl", [{"uid": f"u{i}", "body": t} for i, t in enumerate(items)]
    )
    summary = job(source, tmp_path / "out.jsonl", text_field="body", id_field="uid", batch_size=3)
    lines = read_out(tmp_path / "out.jsonl")
    assert [line["id"] for line in lines] == [f"u{i}" for i in range(10)]
    assert [line["row"] for line in lines] == list(range(1, 11))
    assert {line["status"] for line in lines} == {"ok"}
    assert [line["label"] for line in lines] == [label_for(t) for t in items]
    assert lines[0] == {
        "id": "u0",
        "row": 1,
        "status": "ok",
        "label": "ad hominem",
        "confidence": 0.75,
        "rationale": f"scripted: {items[0][:24]}",
        "n": len(items[0]),
    }
    assert summary.processed == summary.ok == 10
    assert summary.labels == Counter(label_for(t) for t in items)
    assert summary.complete and summary.stopped is None and not summary.bad_rows
    as_dict = summary.to_dict()
    assert json.loads(json.dumps(as_dict)) == as_dict
    assert as_dict["processed"] == 10 and as_dict["ok"] == 10


def test_generated_ids_are_content_hashes_and_stable(tmp_path: Path) -> None:
    rows = ["same words", "other words", "same words", "same words"]
    source = write_jsonl(tmp_path / "in.jsonl", [{"text": t} for t in rows])
    job(source, tmp_path / "a.jsonl")
    job(source, tmp_path / "b.jsonl")
    base = stable_id("same words")
    ids = [line["id"] for line in read_out(tmp_path / "a.jsonl")]
    assert ids == [base, stable_id("other words"), f"{base}-2", f"{base}-3"]
    assert ids == [line["id"] for line in read_out(tmp_path / "b.jsonl")]


def test_csv_with_quotes_and_newlines(tmp_path: Path) -> None:
    rows = [
        ["a1", 'He said "either this, or that", so...', "x"],
        ["a2", "line one\nline two, because reasons", "y"],
        ["a3", "Plain.", "z"],
    ]
    source = write_csv(tmp_path / "posts.csv", ["id", "text", "note"], rows)
    job(source, tmp_path / "out.jsonl", id_field="id")
    lines = read_out(tmp_path / "out.jsonl")
    assert [(line["id"], line["row"], line["label"]) for line in lines] == [
        ("a1", 1, "false dilemma"),
        ("a2", 2, "false causality"),
        ("a3", 3, "none"),
    ]
    job(source, tmp_path / "gen.jsonl")  # generated ids from the CSV text
    assert [line["id"] for line in read_out(tmp_path / "gen.jsonl")] == [
        stable_id(row[1]) for row in rows
    ]


def test_limit_counts_new_rows(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", [{"text": t} for t in texts(7)])
    out = tmp_path / "out.jsonl"
    first = job(source, out, limit=3, batch_size=2)
    assert first.processed == 3 and not first.complete
    second = job(source, out, limit=3, batch_size=2)
    assert (second.processed, second.skipped_done, second.complete) == (3, 3, False)
    third = job(source, out, limit=3, batch_size=2)
    assert (third.processed, third.skipped_done, third.complete) == (1, 6, True)
    assert [line["row"] for line in read_out(out)] == list(range(1, 8))


def test_missing_columns_and_bad_files_fail_before_writing(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "in.csv", ["body"], [["hello"]])
    out = tmp_path / "out.jsonl"
    with pytest.raises(InputError, match="text column 'text'"):
        job(source, out)
    with pytest.raises(InputError, match="id column 'uid'"):
        job(source, out, text_field="body", id_field="uid")
    array = tmp_path / "in.json"
    array.write_text('[{"text": "a"}]\n')
    with pytest.raises(InputError, match="JSON array"):
        job(array, out)
    with pytest.raises(InputError, match="unknown input format"):
        job(tmp_path / "in.txt", out)
    with pytest.raises(InputError, match="no such file"):
        job(tmp_path / "absent.jsonl", out)
    assert not out.exists()


# --- bad rows ------------------------------------------------------------------------


def test_bad_jsonl_rows_are_reported_and_the_job_goes_on(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    lines = [
        '{"text": "Everyone says so."}',
        '{"text": ""}',
        '{"text": "unterminated',
        "",  # a blank line is not a record
        '["text", "an array"]',
        '{"body": "no text field"}',
        '{"text": 42}',
        '{"text": "   "}',
        '{"text": "It failed because of you."}',
    ]
    source.write_bytes(("\n".join(lines) + "\n").encode() + b'{"text": "\xff\xfe"}\n')
    summary = job(source, tmp_path / "out.jsonl", batch_size=2)
    out = read_out(tmp_path / "out.jsonl")
    assert [(line["row"], line["status"]) for line in out] == [
        (1, "ok"),
        (2, "skipped"),
        (3, "skipped"),
        (5, "skipped"),
        (6, "skipped"),
        (7, "skipped"),
        (8, "skipped"),
        (9, "ok"),
        (10, "skipped"),
    ]
    codes = [line["error"]["code"] for line in out if line["status"] == "skipped"]
    assert codes == [
        "empty_text",
        "invalid_json",
        "not_an_object",
        "missing_text",
        "invalid_text",
        "empty_text",
        "invalid_encoding",
    ]
    assert out[2]["id"] == "row-3" and "line 3" in out[2]["error"]["message"]
    assert summary.bad_rows == Counter(codes)
    assert summary.processed == 9 and summary.ok == 2 and summary.complete
    assert summary.labels == Counter({"ad populum": 1, "false causality": 1})
    again = job(source, tmp_path / "out.jsonl")  # bad rows are done too: nothing to add
    assert (again.processed, again.skipped_done) == (0, 9)


def test_bad_csv_rows_are_reported(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(
        "id,text,note\n"
        "1,Everyone agrees.,a\n"
        "2,,b\n"  # empty text
        "3,too short\n"  # a field missing
        "4,too,many,fields\n"
        "\n"  # blank: not a record
        ",no id,c\n"
        "6,Fine again.,d\n"
        "1,a repeated id,e\n",
        encoding="utf-8",
    )
    summary = job(source, tmp_path / "out.jsonl", id_field="id")
    out = read_out(tmp_path / "out.jsonl")
    assert [(line["id"], line["row"], line["status"]) for line in out] == [
        ("1", 1, "ok"),
        ("2", 2, "skipped"),
        ("row-3", 3, "skipped"),
        ("row-4", 4, "skipped"),
        ("row-5", 5, "skipped"),
        ("6", 6, "ok"),
        ("1-2", 7, "skipped"),
    ]
    assert summary.bad_rows == Counter(
        {"wrong_field_count": 2, "empty_text": 1, "missing_id": 1, "duplicate_id": 1}
    )
    assert out[2]["error"]["message"] == "line 4 has 2 fields, the header 3"
    assert summary.processed == 7 and summary.complete


# --- resume and crashes --------------------------------------------------------------


def test_resume_after_limit_keeps_lines_and_adds_each_row_once(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", [{"text": t} for t in texts(11)])
    out = tmp_path / "out.jsonl"
    job(source, out, limit=3, batch_size=2, concurrency=3)
    first = out.read_bytes()
    assert first.count(b"\n") == 3
    summary = job(source, out, batch_size=2, concurrency=3)
    assert out.read_bytes().startswith(first)
    assert (summary.processed, summary.skipped_done, summary.complete) == (8, 3, True)
    lines = read_out(out)
    assert [line["row"] for line in lines] == list(range(1, 12))
    assert len({line["id"] for line in lines}) == 11
    assert job(source, out).processed == 0
    assert len(read_out(out)) == 11


def test_torn_last_line_is_truncated_before_appending(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", [{"text": t} for t in texts(5)])
    out = tmp_path / "out.jsonl"
    job(source, out, limit=2)
    with out.open("ab") as f:
        f.write(b'{"id": "' + stable_id(texts(5)[2]).encode() + b'", "row": 3, "sta')
    summary = job(source, out)
    assert summary.processed == 3 and summary.skipped_done == 2
    assert [line["row"] for line in read_out(out)] == [1, 2, 3, 4, 5]


def test_a_foreign_complete_line_is_refused(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", [{"text": "a"}])
    out = tmp_path / "out.jsonl"
    out.write_text("not json\n")
    with pytest.raises(InputError, match="line 1 is not a job result"):
        job(source, out)
    assert out.read_text() == "not json\n"


def test_a_second_job_on_the_same_output_is_refused(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", [{"text": t} for t in texts(4)])
    out = tmp_path / "out.jsonl"

    async def both() -> tuple[JobSummary | BaseException, JobSummary | BaseException]:
        slow = ScriptedClassifier(delay=lambda batch: 0.05)
        first = asyncio.create_task(run_job(source, out, slow, batch_size=1, progress=False))
        await asyncio.sleep(0.01)
        second = run_job(source, out, ScriptedClassifier(), progress=False)
        return await asyncio.gather(first, second, return_exceptions=True)

    first, second = asyncio.run(both())
    assert isinstance(first, JobSummary) and first.processed == 4
    assert isinstance(second, LogicsvcError) and second.code == "job_busy"
    assert len(read_out(out)) == 4


def test_kill_minus_9_then_rerun_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    rows = 60
    items = texts(rows)
    items[7] = items[3]  # a duplicate text: generated ids -2
    source = write_jsonl(tmp_path / "in.jsonl", [{"text": t} for t in items])
    out = tmp_path / "out.jsonl"
    code = "from tests.fallacy_job_helpers import main; main()"
    proc = subprocess.Popen([sys.executable, "-c", code, str(source), str(out)], cwd=REPO)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            # the job's start creates and removes OUT once (its write probe)
            with contextlib.suppress(FileNotFoundError):
                if out.read_bytes().count(b"\n") >= 6:
                    break
            assert proc.poll() is None, "the job ended before it could be killed"
            time.sleep(0.005)
        else:
            pytest.fail("the job wrote no lines in time")
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=10) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    written = out.read_bytes().count(b"\n")
    assert 6 <= written < rows
    with out.open("ab") as f:  # and a torn write on top
        f.write(b'{"id": "deadbeef", "row": 9')
    summary = job(source, out, batch_size=4, concurrency=3)
    lines = read_out(out)
    assert len(lines) == rows
    assert [line["row"] for line in lines] == list(range(1, rows + 1))
    assert len({line["id"] for line in lines}) == rows
    assert lines[7]["id"] == f"{stable_id(items[3])}-2"
    assert all(line["label"] == label_for(items[line["row"] - 1]) for line in lines)
    assert summary.skipped_done == written and summary.processed == rows - written


# --- classifier failures -------------------------------------------------------------


def test_a_failing_batch_becomes_error_lines(tmp_path: Path) -> None:
    items = texts(9)
    items[4] = "post 4: BOOM"
    source = write_jsonl(tmp_path / "in.jsonl", [{"text": t} for t in items])
    summary = job(source, tmp_path / "out.jsonl", ScriptedClassifier(fail_on="BOOM"), batch_size=3)
    lines = read_out(tmp_path / "out.jsonl")
    assert [line["status"] for line in lines] == ["ok"] * 3 + ["error"] * 3 + ["ok"] * 3
    assert lines[4]["error"] == {
        "code": "classifier_error",
        "message": "ValueError: cannot handle 'BOOM'",
    }
    assert summary.errors == Counter({"classifier_error": 3})
    assert summary.ok == 6 and summary.processed == 9 and summary.complete


def test_a_classifier_answering_the_wrong_count_is_an_error(tmp_path: Path) -> None:
    class Short(ScriptedClassifier):
        async def classify(self, texts: Sequence[str]) -> list[Prediction]:
            return (await super().classify(texts))[:-1]

    source = write_jsonl(tmp_path / "in.jsonl", [{"text": t} for t in texts(4)])
    summary = job(source, tmp_path / "out.jsonl", Short(), batch_size=2)
    assert summary.errors == Counter({"classifier_output": 4})
    assert {line["status"] for line in read_out(tmp_path / "out.jsonl")} == {"error"}


def test_llm_unavailable_stops_cleanly_and_a_rerun_finishes(tmp_path: Path) -> None:
    rows = 20
    source = write_jsonl(tmp_path / "in.jsonl", [{"text": t} for t in texts(rows)])
    out = tmp_path / "out.jsonl"
    down = ScriptedClassifier(unavailable_from=2, delay=lambda batch: 0.01)
    summary = job(source, out, down, batch_size=3, concurrency=2)
    assert summary.stopped is not None and summary.stopped["code"] == "llm_unavailable"
    assert not summary.complete and not summary.errors
    assert len(down.calls) <= 4  # it stops asking a server it knows is down
    lines = read_out(out)
    assert [line["row"] for line in lines] == list(range(1, 7))  # the two batches before
    assert summary.processed == 6
    rerun = job(source, out, batch_size=3, concurrency=2)
    assert rerun.complete and rerun.skipped_done == 6 and rerun.processed == rows - 6
    lines = read_out(out)
    assert [line["row"] for line in lines] == list(range(1, rows + 1))
    assert {line["status"] for line in lines} == {"ok"}


# --- concurrency and progress --------------------------------------------------------


def test_output_is_in_input_order_with_concurrency(tmp_path: Path) -> None:
    rows = 40
    source = write_jsonl(
        tmp_path / "in.jsonl", [{"id": i, "text": t} for i, t in enumerate(texts(rows))]
    )

    def delay(batch: Sequence[str]) -> float:  # earlier batches are slower
        first = int(batch[0].split()[1].rstrip(":"))
        return 0.002 * ((rows - first) % 17)

    scripted = ScriptedClassifier(delay=delay)
    job(source, tmp_path / "out.jsonl", scripted, id_field="id", batch_size=3, concurrency=4)
    assert [line["id"] for line in read_out(tmp_path / "out.jsonl")] == [
        str(i) for i in range(rows)
    ]
    assert scripted.finished != scripted.calls  # batches did finish out of order
    assert scripted.max_in_flight == 4


def test_progress_bar_goes_to_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", [{"text": t} for t in texts(5)])
    job(source, tmp_path / "out.jsonl", progress=True, batch_size=2)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "items/s" in captured.err and "5/5" in captured.err


def test_an_outage_seen_early_stops_new_calls_at_once(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", [{"text": t} for t in texts(30)])
    out = tmp_path / "out.jsonl"
    # call 0 is slow and fine; call 1 fails at once, while call 0 is still running
    down = ScriptedClassifier(
        unavailable_from=1, delay=lambda batch: 0.1 if batch[0].startswith("post 0:") else 0
    )
    summary = job(source, out, down, batch_size=3, concurrency=2)
    assert len(down.calls) == 2
    assert summary.stopped is not None and summary.processed == 3
    assert [line["row"] for line in read_out(out)] == [1, 2, 3]


def test_a_cancelled_job_keeps_what_it_wrote_and_resumes(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", [{"text": t} for t in texts(40)])
    out = tmp_path / "out.jsonl"

    async def interrupted() -> None:  # what Ctrl-C does under asyncio.run
        slow = ScriptedClassifier(delay=lambda batch: 0.01)
        task = asyncio.create_task(run_job(source, out, slow, batch_size=2, progress=False))
        while not out.exists() or out.read_bytes().count(b"\n") < 4:
            await asyncio.sleep(0.002)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert slow.in_flight == 0  # no batch left running behind our back

    asyncio.run(interrupted())
    written = len(read_out(out))
    assert 4 <= written < 40
    summary = job(source, out)
    assert summary.skipped_done == written and summary.complete
    assert [line["row"] for line in read_out(out)] == list(range(1, 41))


def _refusing_llm(word: str) -> Any:
    """The LLM classifier over a chat that refuses (HTTP 400) any text holding ``word``."""
    from logicsvc.errors import LLMError
    from logicsvc.fallacies.llm import LLMClassifier
    from logicsvc.llm import ChatRequest
    from logicsvc.llm.fake import ScriptedChat

    def reply(request: ChatRequest) -> list[str | Exception]:
        if word in request.messages[-1].content:
            return [LLMError("the model server answered HTTP 400: context too long")]
        return ['{"label": "ad hominem", "confidence": 0.9, "rationale": "attacks the man"}']

    return LLMClassifier(ScriptedChat(reply))


def test_one_refused_llm_request_costs_one_row_not_its_batch(tmp_path: Path) -> None:
    """A refused request was the whole batch's error: 15 good answers written as errors."""
    rows = texts(16)
    rows[5] = "post 5: POISON"
    source = write_jsonl(tmp_path / "in.jsonl", [{"text": t} for t in rows])
    out = tmp_path / "out.jsonl"
    summary = job(source, out, _refusing_llm("POISON"), batch_size=16)
    lines = read_out(out)
    assert [line["status"] for line in lines] == ["ok"] * 5 + ["error"] + ["ok"] * 10
    assert lines[5]["error"]["code"] == "llm_error" and "HTTP 400" in lines[5]["error"]["message"]
    assert "label" not in lines[5] or lines[5]["label"] is None
    assert summary.errors == Counter({"llm_error": 1}) and summary.labels["ad hominem"] == 15


def test_an_unusable_llm_answer_is_an_error_line_not_none(tmp_path: Path) -> None:
    """Issue 17, item 15: prose instead of the JSON answer was recorded ok / none."""
    from logicsvc.fallacies.llm import LLMClassifier
    from logicsvc.llm.fake import ScriptedChat

    source = write_jsonl(tmp_path / "in.jsonl", [{"text": t} for t in texts(2)])
    out = tmp_path / "out.jsonl"
    chat = ScriptedChat(["I think this argument is fine.", '{"label": "none"}'])
    summary = job(source, out, LLMClassifier(chat), batch_size=1, concurrency=1)
    lines = read_out(out)
    assert [line["status"] for line in lines] == ["error", "ok"]
    assert lines[0]["error"]["code"] == "llm_bad_answer" and lines[0].get("label") is None
    assert summary.errors == Counter({"llm_bad_answer": 1})


def test_an_evaluation_scores_an_unanswered_text_as_a_miss(tmp_path: Path) -> None:
    from logicsvc.fallacies.evaluate import FAILED, evaluate

    labelled = write_csv(
        tmp_path / "gold.csv",
        ["source_article", "updated_label"],
        [["You are an idiot.", "ad hominem"], ["POISON here.", "ad hominem"]],
    )
    out = tmp_path / "items.jsonl"
    summary = evaluate(labelled, _refusing_llm("POISON"), out=out)
    assert (summary["n"], summary["failed"], summary["accuracy"]) == (2, 1, 0.5)
    assert summary["confusion"]["ad hominem"] == {"ad hominem": 1, FAILED: 1}
    records = read_out(out)
    assert records[1]["predicted"] is None and records[1]["error"]["code"] == "llm_error"
