"""The wheel carries the grammars and prompts; provers/ stands alone."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import REPO


def test_wheel_ships_grammars_and_prompts_and_works_outside_the_repo(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path), str(REPO)],
        check=True,
        timeout=300,
    )  # fmt: skip
    wheel = next(tmp_path.glob("logicsvc-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "logicsvc/_resources/grammars/fol.lark" in names
    assert any(n.startswith("logicsvc/_resources/prompts/") for n in names)
    assert "provers/z3_backend.py" in names
    for asset in ("index.html", "app.js", "style.css"):  # the playground, served from here
        assert f"logicsvc/service/static/{asset}" in names
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    code = (
        "import logicsvc.resources as r, logicsvc.load as l, provers;"
        "print(r.resource_dir('grammars'));"
        "p = l.load_problem('Premises:\\nP(a)\\nConclusion:\\nP(a)\\n').problem;"
        "print(provers.prove(p).verdict)"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    grammar_dir, verdict = proc.stdout.split()
    assert Path(grammar_dir).is_relative_to(site)
    assert verdict == "true"


def test_provers_import_no_llm_or_http_code() -> None:
    code = (
        "import sys, provers, provers.z3_backend, provers.backward;"
        "heavy = {'fastapi', 'starlette', 'uvicorn', 'httpx', 'openai', 'vllm', 'typer'};"
        "print(sorted(heavy & set(sys.modules)))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
