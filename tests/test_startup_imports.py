"""A command imports what it uses, when it runs (issue 18: start-up before the first item).

Each case runs the real command in a fresh interpreter and lists, at exit, which heavy
packages it loaded. An eager import added anywhere on a command's path (a module-level
``import networkx`` in a prover, ``rich`` in the command table, the LLM loop in the
offline pipeline) fails here. Speed itself is measured in ``bench/startup.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

# what no command below needs
NEVER = [
    "networkx",
    "fastapi",
    "starlette",
    "uvicorn",
    "openai",
    "httpx",
    "sklearn",
    "ray",
    "pydantic_settings",
    "numpy",
    "vllm",
    "mcp",
]

RUN = """
import json, runpy, sys
out, argv = sys.argv[1], sys.argv[2:]
sys.argv = ["logicsvc", *argv]
try:
    runpy.run_module("logicsvc.cli", run_name="__main__")
except SystemExit as exc:
    code = exc.code
else:
    code = 0
with open(out, "w") as f:
    json.dump({"code": code, "modules": sorted(sys.modules)}, f)
"""

TINY = """Premises:
∀x (Man(x) → Mortal(x)) ::: All men are mortal.
Man(socrates) ::: Socrates is a man.
Conclusion:
Mortal(socrates) ::: Socrates is mortal.
"""


def loaded(tmp_path: Path, *argv: str, cache: Path | None = None) -> set[str]:
    """The modules a fresh ``logicsvc ARGV`` process holds when it exits (status 0);
    ``cache``: the folder of the parser and lemma tables (else the user's)."""
    out = tmp_path / "modules.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOGICSVC_")}
    if cache is not None:
        env["LOGICSVC_PARSER_CACHE"] = str(cache)
    subprocess.run(
        [sys.executable, "-c", RUN, str(out), *argv],
        cwd=tmp_path,  # no .env: offline, whatever the shell configures
        env=env,
        stdout=subprocess.DEVNULL,
        check=True,
        timeout=120,
    )
    report = json.loads(out.read_text())
    assert report["code"] in (0, None)
    return set(report["modules"])


def heavy(modules: set[str], names: list[str]) -> list[str]:
    return [n for n in names if n in modules or any(m.startswith(n + ".") for m in modules)]


def test_the_command_table_alone_imports_typer_and_nothing_heavy() -> None:
    code = "import json, sys, logicsvc.cli; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    modules = set(json.loads(done.stdout))
    assert "typer" in modules
    extra = ["pydantic", "rich", "lark", "z3", "asyncio", "logicsvc.syntax", "logicsvc.provers"]
    assert heavy(modules, NEVER + extra) == []


def test_help_needs_no_parser_prover_or_pydantic(tmp_path: Path) -> None:
    modules = loaded(tmp_path, "--help")
    assert heavy(modules, [*NEVER, "pydantic", "lark", "z3", "logicsvc.provers"]) == []


def test_prove_on_a_rule_base_needs_neither_networkx_nor_z3_nor_rich(tmp_path: Path) -> None:
    problem = tmp_path / "tiny.fol"
    problem.write_text(TINY, encoding="utf-8")
    modules = loaded(tmp_path, "prove", str(problem))
    assert "logicsvc.provers.backward" in modules  # it did prove
    assert heavy(modules, [*NEVER, "z3", "rich", "asyncio"]) == []


# typer 0.29 coerces every option value through a pydantic TypeAdapter (~100 ms of
# start-up for any command); pyproject.toml holds typer below it. A typer that brings
# pydantic back, or an import of it on these paths, fails here.
@pytest.mark.parametrize(
    "argv",
    [
        ("prove", "{tiny}"),
        ("prove", "--backend", "backward", "--world", "closed", "--timeout", "5", "{tiny}"),
        ("export", "--tptp", "{tiny}"),
        ("eval", "--no-progress", "programs", "--timeout", "5", "{programs}"),
        ("eval", "--no-progress", "folio-gold", "--backend", "z3", "{folio}"),
    ],
    ids=["prove", "prove-options", "export", "eval-programs", "eval-folio-gold"],
)
def test_commands_that_need_no_settings_import_no_pydantic(
    shared_datasets: Path, tmp_path: Path, argv: tuple[str, ...]
) -> None:
    tiny = tmp_path / "tiny.fol"
    tiny.write_text(TINY, encoding="utf-8")
    recorded = shared_datasets / "llm_programs" / "logiclm" / "ProofWriter_dev-A_gpt-4.json"
    programs = tmp_path / "one.json"
    programs.write_text(json.dumps(json.loads(recorded.read_text())[:1]), encoding="utf-8")
    folio = tmp_path / "one.jsonl"
    with (shared_datasets / "folio" / "folio-validation-A.jsonl").open(encoding="utf-8") as f:
        folio.write_text(next(f), encoding="utf-8")
    paths = {"{tiny}": str(tiny), "{programs}": str(programs), "{folio}": str(folio)}
    modules = loaded(tmp_path, *(paths.get(arg, arg) for arg in argv))
    assert "logicsvc.syntax.parser" in modules  # it read the problem
    assert heavy(modules, ["pydantic", "pydantic_core"]) == []


def test_eval_programs_without_a_bar_needs_no_rich(shared_datasets: Path, tmp_path: Path) -> None:
    recorded = shared_datasets / "llm_programs" / "logiclm" / "ProofWriter_dev-A_gpt-4.json"
    one = tmp_path / "one.json"
    one.write_text(json.dumps(json.loads(recorded.read_text())[:1]), encoding="utf-8")
    modules = loaded(tmp_path, "eval", "--no-progress", "programs", str(one))
    assert "logicsvc.evaluation.programs" in modules
    assert heavy(modules, [*NEVER, "z3", "rich"]) == []


FIRST_ITEM = """
import json, runpy, sys
import logicsvc.evaluation.programs as programs
out, argv, seen = sys.argv[1], sys.argv[2:], []
inner = programs.evaluate_item
def first(*args, **kwargs):
    if not seen:
        seen.append(sorted(sys.modules))
    return inner(*args, **kwargs)
programs.evaluate_item = first
sys.argv = ["logicsvc", *argv]
try:
    runpy.run_module("logicsvc.cli", run_name="__main__")
finally:
    with open(out, "w") as f:
        json.dump({"first": seen[0], "end": sorted(sys.modules)}, f)
"""


def test_eval_programs_with_its_bar_imports_rich_only_after_the_first_item(
    shared_datasets: Path, tmp_path: Path
) -> None:
    """The bar is drawn once the first item is done (logicsvc.progress): before it, nothing
    of rich; the bar itself still comes, on stderr."""
    recorded = shared_datasets / "llm_programs" / "logiclm" / "ProofWriter_dev-A_gpt-4.json"
    two = tmp_path / "two.json"
    two.write_text(json.dumps(json.loads(recorded.read_text())[:2]), encoding="utf-8")
    out = tmp_path / "modules.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOGICSVC_")}
    done = subprocess.run(
        [sys.executable, "-c", FIRST_ITEM, str(out), "eval", "programs", str(two)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    report = json.loads(out.read_text())
    assert heavy(set(report["first"]), ["rich"]) == []
    assert "rich.progress" in report["end"] and "2/2" in done.stderr


@pytest.mark.parametrize("translator", ["rules", "auto"])
def test_offline_reason_needs_no_llm_loop(tmp_path: Path, translator: str) -> None:
    premises = "All men are mortal. Socrates is a man."
    argv = ("reason", "--translator", translator, "-p", premises, "-c", "Socrates is mortal.")
    first = loaded(tmp_path, *argv, cache=tmp_path / "cache")
    assert "logicsvc.translate.controlled" in first
    # the first run wrote the lemma table (asking lemminflect: numpy); later ones read it
    never = [n for n in NEVER if n != "numpy"]
    assert heavy(first, [*never, "logicsvc.llm.loop", "asyncio", "rich"]) == []
    again = loaded(tmp_path, *argv, cache=tmp_path / "cache")
    assert heavy(again, [*NEVER, "lemminflect", "logicsvc.llm.loop", "asyncio", "rich"]) == []


@pytest.mark.parametrize(
    ("command", "file"),
    [
        ("proofwriter", "proofwriter/logiclm/dev-A.json"),
        ("logical-deduction", "logical_deduction/dev-A.json"),
    ],
)
def test_offline_evaluations_read_no_lemminflect_once_the_lemma_table_is_stored(
    shared_datasets: Path, tmp_path: Path, command: str, file: str
) -> None:
    """The words of these items are all in lemminflect's dictionary, so with the stored
    table (written by the first run) neither lemminflect nor numpy is imported."""
    one = tmp_path / "one.json"
    one.write_text(json.dumps(json.loads((shared_datasets / file).read_text())[:1]))
    argv = ("eval", "--no-progress", command, str(one))
    first = loaded(tmp_path, *argv, cache=tmp_path / "cache")
    assert "lemminflect" in first or command == "logical-deduction"  # it wrote the table
    again = loaded(tmp_path, *argv, cache=tmp_path / "cache")
    assert "logicsvc.translate.lemmas" in again  # the translator is the one that looks up
    assert heavy(again, [*NEVER, "lemminflect", "rich", "asyncio"]) == []


def test_the_lemma_table_is_read_once_without_the_collector_and_it_comes_back() -> None:
    """lemminflect's table (~70,000 dicts) read with the garbage collector paused: it
    does not run during the read, it is on afterwards, and the words read the same as
    through lemminflect itself.  (Without a cache folder: with one, the words come from
    the stored table, :mod:`logicsvc.translate.lemmas`, and lemminflect's is not read.)"""
    code = """
import gc, json, lemminflect
from logicsvc.translate import lexicon
runs = []
gc.callbacks.append(lambda phase, info: runs.append(phase) if phase == "start" else None)
men = lexicon.all_lemmas("men")
during = len(runs)
print(json.dumps({
    "during": during,
    "enabled": gc.isenabled(),
    "same": men == lemminflect.getAllLemmas("men")
    and lexicon.oov_lemma("zorbs", "NOUN") == lemminflect.getLemma("zorbs", "NOUN"),
    "men": men,
}))
"""
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "LOGICSVC_PARSER_CACHE": "off"},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    report = json.loads(done.stdout)
    assert report["men"] == {"NOUN": ["man"]}
    # unpaused, the read runs the collector ~200 times; paused, at most the one collection
    # the first allocations after it start
    assert report["during"] <= 1 and report["enabled"] and report["same"]


# What requires typer in the vLLM extra's tree (pip's resolver on '.[vllm]', vllm 0.32.0:
# fastapi-cli and fastapi-cloud-cli through fastapi[standard], transformers, fastsafetensors):
# holding typer below 0.29 must leave '.[vllm]' installable, so each admits a typer we admit.
VLLM_TYPER = {
    "fastapi-cli": ">=0.26.1",
    "fastapi-cloud-cli": ">=0.26.1",
    "transformers": "",
    "fastsafetensors": ">=0.9.0",
}


def test_the_typer_pin_leaves_the_vllm_extra_installable() -> None:
    import tomllib
    from importlib.metadata import version

    from packaging.requirements import Requirement
    from packaging.specifiers import SpecifierSet

    from tests.test_vllm_cpu import vllm_python

    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    ours = next(r for r in map(Requirement, project["dependencies"]) if r.name == "typer")
    assert version("typer") in ours.specifier  # the suite runs on the pinned typer
    for name, spec in VLLM_TYPER.items():
        assert version("typer") in SpecifierSet(spec), name
    python = vllm_python()
    if python is not None:  # vllm-cpu's environment: every typer requirement read there
        code = (
            "import json; from importlib.metadata import distributions\n"
            "print(json.dumps([r for d in distributions() for r in d.requires or []"
            " if r.split(';')[0].strip().startswith(('typer>', 'typer=', 'typer<'))]))"
        )
        found = subprocess.run(
            [str(python), "-c", code], capture_output=True, text=True, check=True, timeout=120
        )
        for requirement in map(Requirement, json.loads(found.stdout)):
            active = requirement.marker is None or requirement.marker.evaluate({"extra": ""})
            if active:
                assert version("typer") in requirement.specifier, str(requirement)


def test_an_offline_evaluation_with_auto_reads_no_settings(
    shared_datasets: Path, tmp_path: Path
) -> None:
    """No LLM variable and no ``.env``: ``auto`` is the rules, without pydantic-settings."""
    dev = shared_datasets / "proofwriter" / "logiclm" / "dev-A.json"
    one = tmp_path / "one.json"
    one.write_text(json.dumps(json.loads(dev.read_text())[:1]), encoding="utf-8")
    modules = loaded(tmp_path, "eval", "--no-progress", "proofwriter", str(one))
    assert "logicsvc.translate.controlled" in modules  # auto chose the rules
    assert heavy(modules, ["pydantic_settings", "logicsvc.settings"]) == []
    assert heavy(modules, ["logicsvc.llm.loop", "asyncio"]) == []  # the loop's options unbuilt


@pytest.mark.parametrize(
    "source", ["LOGICSVC_LLM_BASE_URL", "openai_base_url", ".env", None], ids=str
)
def test_auto_is_the_llm_exactly_where_the_settings_name_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, source: str | None
) -> None:
    from logicsvc.cli._common import LLM_URL_VARIABLES, TranslatorChoice, resolve_auto
    from logicsvc.settings import Settings, get_settings

    alias = Settings.model_fields["llm_base_url"].validation_alias
    assert tuple(getattr(alias, "choices", ())) == LLM_URL_VARIABLES
    monkeypatch.chdir(tmp_path)
    for name in [n for n in os.environ if n.upper() in LLM_URL_VARIABLES]:
        monkeypatch.delenv(name)
    if source == ".env":
        (tmp_path / ".env").write_text("LOGICSVC_LLM_BASE_URL=http://127.0.0.1:9/v1\n")
    elif source is not None:
        monkeypatch.setenv(source, "http://127.0.0.1:9/v1")
    configured = get_settings().llm_base_url is not None
    assert configured == (source is not None)
    expected = TranslatorChoice.llm if configured else TranslatorChoice.rules
    assert resolve_auto(TranslatorChoice.auto) is expected
