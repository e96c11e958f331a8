"""``--ray``: the same jobs and evaluations as a Ray Data pipeline, on a local cluster.

One Ray instance for the module (2 CPUs, no dashboard, a small object store, loopback
only), started here; driver subprocesses join it by its address.  What must hold: the
lines and the summary of the single-machine path, exactly one line per row after a
worker or the driver is killed, and the live loop scoring what ``eval programs`` scores.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from logicsvc.cli import app
from logicsvc.cli._common import ray_flag_value
from logicsvc.errors import ConfigurationError
from logicsvc.fallacies.jobs import run_job
from tests.fallacy_job_helpers import ScriptedClassifier
from tests.ray_helpers import FALLACY, GoneAfter, SlowScripted, fallacy_texts, write_rows

ray = pytest.importorskip("ray")  # in the dev extra; skips only where logicsvc[ray] is not

ROOT = Path(__file__).resolve().parents[1]
TIMING = ("elapsed_s", "elapsed_ms")


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """A local Ray instance for this module; its address, for driver subprocesses."""
    session = tempfile.mkdtemp(prefix="logicsvc-ray-")
    with pytest.MonkeyPatch.context() as patch:
        # workers import tests.ray_helpers; they inherit the environment of the raylet
        patch.setenv(
            "PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
        )
        context = ray.init(
            num_cpus=2,
            include_dashboard=False,
            object_store_memory=256 * 2**20,
            log_to_driver=False,
            configure_logging=False,
            _temp_dir=session,  # not /tmp/ray, which Ray never empties
        )
        try:
            yield str(context.address_info["gcs_address"])
        finally:
            ray.shutdown()
            shutil.rmtree(session, ignore_errors=True)


def lines(path: Path) -> list[dict[str, Any]]:
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    for record in records:
        for key in TIMING:
            record.pop(key, None)
    return records


def without(summary: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in summary.items() if k not in keys}


def cli(*args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-m", "logicsvc.cli", *args],
        capture_output=True,
        text=True,
        timeout=280,
        env={**os.environ, **(env or {})},
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    summary: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return summary


@pytest.fixture(scope="module")
def model_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The offline baseline trained on the first 600 texts of Logic edu_train (the whole
    split costs a minute here; the paths must agree whatever the model), saved as
    ``fallacies train`` does."""
    if not (FALLACY / "logic" / "edu_train.csv").is_file():
        pytest.skip(f"fallacy datasets not found under {FALLACY}")
    from logicsvc.fallacies.baseline import read_labeled_rows, train

    rows = read_labeled_rows(FALLACY / "logic" / "edu_train.csv")
    path = tmp_path_factory.mktemp("model") / "fallacy.model"
    train(rows.texts[:600], rows.labels[:600]).save(path)
    return path


# --- the same output as one machine ----------------------------------------------------


@pytest.mark.slow
def test_fallacy_job_over_20000_rows_matches_the_single_machine_path(
    cluster: str, model_file: Path, tmp_path: Path
) -> None:
    from logicsvc.cluster.fallacies import DetectorRecipe, run_job_on_ray
    from logicsvc.fallacies.baseline import BaselineClassifier, BaselineModel
    from logicsvc.fallacies.detector import FallacyDetector

    model = BaselineModel.load(model_file)
    source = write_rows(tmp_path / "posts.jsonl", fallacy_texts(), 20_000)
    here, there = tmp_path / "here.jsonl", tmp_path / "there.jsonl"
    detector = FallacyDetector(BaselineClassifier(model))
    local = asyncio.run(run_job(source, here, detector, progress=False))
    remote = run_job_on_ray(
        source, there, DetectorRecipe(model, None), address=cluster, progress=False
    )
    assert remote.processed == 20_000 and remote.complete
    assert lines(there) == lines(here)  # the same lines, in the same order
    assert without(remote.to_dict(), "out", "elapsed_s") == without(
        local.to_dict(), "out", "elapsed_s"
    )
    assert remote.bad_rows == {"empty_text": 20}
    assert remote.labels["fallacy of logic"] > 0  # the formal check ran in the actors


@pytest.mark.slow
def test_eval_proofwriter_train_matches_the_single_machine_path(
    cluster: str, shared_datasets: Path, tmp_path: Path
) -> None:
    from logicsvc.evaluation import offline

    path = shared_datasets / "proofwriter" / "logiclm" / "train.json"
    here, there = tmp_path / "here.jsonl", tmp_path / "there.jsonl"
    local = offline.evaluate(path, world="explicit", out=here).to_dict()
    remote = cli("eval", "proofwriter", str(path), "--out", str(there), "--ray", cluster)
    assert without(remote, "world", "translator") == local
    assert remote["n"] == 3000
    assert lines(there) == lines(here)


def test_every_eval_family_on_ray_answers_as_on_one_machine(
    cluster: str, shared_datasets: Path, tmp_path: Path
) -> None:
    """eval programs and folio-gold (proofwriter above, the LLM translators below)."""
    recorded = shared_datasets / "llm_programs" / "logiclm" / "FOLIO_dev-A_gpt-4.json"
    gold = shared_datasets / "folio" / "folio-validation-A.jsonl"
    from logicsvc.evaluation import folio_gold, programs

    for command, path, family in (
        ("programs", recorded, programs),
        ("folio-gold", gold, folio_gold),
    ):
        here, there = tmp_path / f"{command}-1.jsonl", tmp_path / f"{command}-2.jsonl"
        local = family.evaluate(path, out=here).to_dict()
        remote = cli("eval", command, str(path), "--out", str(there), "--ray", cluster)
        assert remote == local
        assert lines(there) == lines(here)


def test_eval_fallacies_on_ray_scores_as_on_one_machine(
    cluster: str, model_file: Path, tmp_path: Path
) -> None:
    from logicsvc.fallacies.baseline import BaselineClassifier, BaselineModel
    from logicsvc.fallacies.evaluate import evaluate

    dev = FALLACY / "logic" / "edu_dev.csv"
    here, there = tmp_path / "here.jsonl", tmp_path / "there.jsonl"
    local = evaluate(dev, BaselineClassifier(BaselineModel.load(model_file)), out=here)
    remote = cli("eval", "fallacies", str(dev), "--model", str(model_file), "--out", str(there),
                 "--ray", cluster)  # fmt: skip
    assert without(remote, "elapsed_s") == without(local, "elapsed_s")
    assert remote["n"] == 300
    assert lines(there) == lines(here)


def test_a_collection_larger_than_a_window_goes_through_in_order(
    cluster: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Windows (one Ray Data execution each) join up: 25 batches in windows of 13."""
    from logicsvc.cluster import pipeline
    from logicsvc.cluster.fallacies import run_job_on_ray

    monkeypatch.setattr(pipeline, "WINDOW_CHUNKS", 13)
    source = write_rows(
        tmp_path / "in.jsonl", [f"{i}: either this or that" for i in range(97)], 100
    )
    out = tmp_path / "out.jsonl"
    summary = run_job_on_ray(
        source, out, ScriptedClassifier, address=cluster, batch_size=4, progress=False
    )
    assert summary.processed == 100 and summary.complete
    assert lines(out) == _expected(source, tmp_path)


# --- faults ----------------------------------------------------------------------------


def _expected(source: Path, tmp_path: Path) -> list[dict[str, Any]]:
    reference = tmp_path / "reference.jsonl"
    asyncio.run(run_job(source, reference, ScriptedClassifier(), batch_size=4, progress=False))
    return lines(reference)


def _wait_for_lines(out: Path, at_least: int, deadline_s: float = 120) -> None:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        # the job's start creates and removes OUT once (its write probe), so it may vanish
        with contextlib.suppress(FileNotFoundError):
            if out.read_bytes().count(b"\n") >= at_least:
                return
        time.sleep(0.05)
    raise AssertionError(f"{out} never reached {at_least} lines")


def test_kill_minus_9_of_a_worker_mid_job_still_gives_one_line_per_row(
    cluster: str, tmp_path: Path
) -> None:
    from logicsvc.cluster.fallacies import run_job_on_ray

    source = write_rows(
        tmp_path / "in.jsonl", [f"post {i}: everyone agrees" for i in range(150)], 600
    )
    out, pids = tmp_path / "out.jsonl", tmp_path / "pids"
    pids.mkdir()
    result: dict[str, Any] = {}

    def job() -> None:
        result["summary"] = run_job_on_ray(
            source, out, SlowScripted(pids, 0.05), address=cluster, batch_size=4,
            concurrency=1, progress=False,
        )  # fmt: skip

    thread = threading.Thread(target=job)
    thread.start()
    _wait_for_lines(out, 40)
    victim = int(sorted(pids.iterdir())[0].name)
    os.kill(victim, signal.SIGKILL)
    written_before = out.read_bytes().count(b"\n")
    thread.join(timeout=240)
    assert not thread.is_alive()
    assert written_before < 600  # the kill came mid-job
    assert len(list(pids.iterdir())) >= 3  # the killed actor was restarted
    assert result["summary"].processed == 600 and result["summary"].complete
    assert lines(out) == _expected(source, tmp_path)


def test_kill_minus_9_of_the_driver_then_rerun_gives_the_same_result(
    cluster: str, tmp_path: Path
) -> None:
    source = write_rows(tmp_path / "in.jsonl", [f"post {i}: you idiot" for i in range(200)], 400)
    out, pids = tmp_path / "out.jsonl", tmp_path / "pids"
    pids.mkdir()
    code = "from tests.ray_helpers import driver_main; driver_main()"
    args = [sys.executable, "-c", code, str(source), str(out), cluster, str(pids)]
    driver = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        _wait_for_lines(out, 40)
    finally:
        driver.send_signal(signal.SIGKILL)
        driver.wait(timeout=30)
    kept = out.read_bytes().count(b"\n")
    assert 40 <= kept < 400
    rerun = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    summary = json.loads(rerun.stdout.strip().splitlines()[-1])
    assert summary["skipped_done"] + summary["processed"] == 400
    assert summary["skipped_done"] >= kept - 1  # at most a torn last line is redone
    assert lines(out) == _expected(source, tmp_path)


def test_an_unreachable_llm_stops_the_job_and_a_rerun_finishes_it(
    cluster: str, tmp_path: Path
) -> None:
    from logicsvc.cluster.fallacies import run_job_on_ray

    source = write_rows(tmp_path / "in.jsonl", [f"post {i} because" for i in range(300)], 300)
    out = tmp_path / "out.jsonl"
    options: dict[str, Any] = {"address": cluster, "batch_size": 4, "progress": False}
    stopped = run_job_on_ray(source, out, GoneAfter(2), concurrency=1, **options)
    assert stopped.stopped is not None and stopped.stopped["code"] == "llm_unavailable"
    assert not stopped.complete and stopped.processed < 300
    finished = run_job_on_ray(source, out, GoneAfter(10_000), **options)
    assert finished.skipped_done == stopped.processed and finished.complete
    assert lines(out) == _expected(source, tmp_path)


# --- the LLM stage -----------------------------------------------------------------------


@pytest.mark.slow
def test_live_eval_on_ray_against_replay_server_scores_like_eval_programs(
    cluster: str, shared_datasets: Path, tmp_path: Path
) -> None:
    from tests.test_llm_end_to_end import replay_server

    path = shared_datasets / "llm_programs" / "logiclm" / "FOLIO_dev-A_gpt-4.json"
    offline = cli("eval", "programs", str(path))
    out = tmp_path / "items.jsonl"
    with replay_server(path) as url:
        env = {"LOGICSVC_LLM_BASE_URL": url, "LOGICSVC_LLM_CONCURRENCY": "4"}
        live = cli("eval", "folio", str(path), "--rounds", "1", "--out", str(out),
                   "--ray", cluster, env=env)  # fmt: skip
    keys = ("n", "parsed", "executable", "correct", "accuracy")
    assert {k: live[k] for k in keys} == {k: offline[k] for k in keys}
    assert live["llm_calls"] >= live["n"]
    records = lines(out)
    assert [r["id"] for r in records] == [item["id"] for item in json.loads(path.read_text())]


# --- the extra is optional -----------------------------------------------------------------


def test_the_single_machine_path_does_not_import_ray(shared_datasets: Path) -> None:
    dev = shared_datasets / "proofwriter" / "logiclm" / "dev-A.json"
    code = (
        "import sys\n"
        "from logicsvc.cli import main\n"
        "import logicsvc.fallacies.jobs, logicsvc.service.app\n"
        f"sys.argv = ['logicsvc', 'eval', 'proofwriter', {str(dev)!r}]\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
        "loaded = sorted(m for m in sys.modules if m == 'ray' or m.startswith('ray.'))\n"
        "assert not loaded, loaded\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert '"n": 267' in proc.stdout


def test_without_ray_the_flag_fails_naming_the_extra(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, shared_datasets: Path
) -> None:
    from logicsvc.cluster import require_ray

    for name in [m for m in sys.modules if m == "ray" or m.startswith("ray.")]:
        monkeypatch.setitem(sys.modules, name, None)  # import ray now raises ImportError
    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(ConfigurationError, match=r"pip install 'logicsvc\[ray\]'") as caught:
        require_ray()
    assert caught.value.code == "missing_extra"
    path = shared_datasets / "proofwriter" / "logiclm" / "dev-A.json"
    result = CliRunner().invoke(app, ["eval", "proofwriter", str(path), "--ray", "local"])
    assert result.exit_code == 2
    assert json.loads(result.stdout.splitlines()[0])["error"]["code"] == "missing_extra"
    source = write_rows(tmp_path / "in.jsonl", ["a text"], 3)
    result = CliRunner().invoke(
        app, ["fallacies", str(source), "-o", str(tmp_path / "o.jsonl"), "--llm", "--ray", "auto"]
    )
    assert result.exit_code == 2 and "logicsvc[ray]" in result.stdout


def test_a_bare_ray_flag_means_a_local_cluster() -> None:
    assert ray_flag_value(["eval", "proofwriter", "p.json", "--ray"]) == [
        "eval", "proofwriter", "p.json", "--ray", "local",
    ]  # fmt: skip
    assert ray_flag_value(["fallacies", "in.csv", "--ray", "-o", "o"]) == [
        "fallacies", "in.csv", "--ray", "local", "-o", "o",
    ]  # fmt: skip
    assert ray_flag_value(["x", "--ray", "auto"]) == ["x", "--ray", "auto"]


def test_a_local_cluster_leaves_no_session_directory_behind() -> None:
    """``--ray`` (local) starts Ray in a temporary directory and removes it on a clean end."""
    root = Path(tempfile.mkdtemp(prefix="lr-", dir="/tmp"))  # short: Ray's sockets live here
    code = (
        "from logicsvc.cluster import connected\n"
        "with connected('local') as ray:\n"
        "    assert ray.get(ray.put(41)) + 1 == 42\n"
        "    import os, sys; print(os.listdir(sys.argv[1]))\n"
    )
    env = {**os.environ, "RAY_TMPDIR": str(root)}
    try:
        proc = subprocess.run(
            [sys.executable, "-c", code, str(root)], capture_output=True, text=True, env=env,
            timeout=180,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        assert "logicsvc-ray-" in proc.stdout  # the session lived there while it ran
        assert list(root.iterdir()) == []
    finally:
        shutil.rmtree(root, ignore_errors=True)
