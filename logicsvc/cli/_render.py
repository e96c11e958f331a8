"""Answers for a person at a terminal: the verdict, the proof as an indented tree of
sentences and formulas, the countermodel as a table, the warnings.

The JSON a program reads stays the contract (piped output, ``--json``); this only
reads that same payload.  Premise numbers are 1-based and name what the person
wrote: a premise of their program, or sentence ``j`` of their ``-p`` text ``k``.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    # rich is imported by the functions that draw: JSON (piped, --json) needs none of it
    from rich.console import RenderableType
    from rich.table import Table
    from rich.text import Text
    from rich.tree import Tree

_VERDICTS = {
    "true": ("TRUE", "bold green", "the premises entail the conclusion"),
    "false": ("FALSE", "bold red", "the premises entail the negation of the conclusion"),
    "unknown": ("UNKNOWN", "bold yellow", "neither the conclusion nor its negation follows"),
}
_STATUSES = {
    "contradictory_premises": "the premises contradict each other (anything would follow)",
    "timeout": "the prover gave up within its limits",
    "error": "no verdict",
    "no_option": "no option passes the question's test",
    "several_options": "several options pass the question's test",
}
_FACT = re.compile(r"(¬?)([^(]+)(?:\((.*)\))?$")


CONCLUSION = "conclusion"


@dataclass(frozen=True, slots=True)
class Premise:
    """One premise of the program the prover saw, as a person should be shown it."""

    label: str
    formula: str
    gloss: str | None = None


def premises_of(
    program: str, texts: Sequence[str] | None = None, sentences: Sequence[str] = ()
) -> list[Premise]:
    """The program's premises, labelled by what was sent (``texts``: the ``-p`` texts),
    then its conclusion (labelled :data:`CONCLUSION`)."""
    from logicsvc.errors import LogicsvcError
    from logicsvc.load import load_problem
    from logicsvc.sources import sentence_refs
    from logicsvc.syntax import to_dsl

    try:
        problem = load_problem(program, lenient=True).problem
    except LogicsvcError:
        return []
    refs = sentence_refs(texts, sentences) if texts is not None else None
    out = []
    for i, statement in enumerate(problem.premises):
        label = f"premise {i + 1}"
        if refs is not None and i < len(refs):
            ref = refs[i]
            label = f"premise {ref['premise']}"
            if sum(r["premise"] == ref["premise"] for r in refs) > 1:
                label += f", sentence {ref['sentence']}"
        out.append(Premise(label, to_dsl(statement.formula), statement.gloss))
    conclusion = problem.conclusion
    return [*out, Premise(CONCLUSION, to_dsl(conclusion.formula), conclusion.gloss)]


def render(payload: dict[str, Any], premises: Sequence[Premise] = ()) -> RenderableType:
    """The whole answer, top to bottom."""
    from rich.console import Group
    from rich.text import Text

    parts: list[RenderableType] = [_headline(payload)]
    if premises:
        parts.append(Text("\nRead as", style="bold"))
        parts += [_premise_line(premises, i) for i in range(len(premises))]
        premises = [p for p in premises if p.label != CONCLUSION]
    options = payload.get("options")
    if options:
        parts += [Text("\nOptions", style="bold"), *(_option_line(o) for o in options)]
    proof = payload.get("proof")
    used = payload.get("used_premises") or []
    if proof:
        parts += [Text("\nWhy", style="bold"), _proof_tree(proof, premises)]
    elif used:
        parts += [Text("\nPremises the proof used", style="bold")]
        parts += [_premise_line(premises, i) for i in used]
    model = payload.get("countermodel")
    if model:
        parts += [
            Text("\nCountermodel: every premise holds here, the conclusion does not", style="bold"),
            _countermodel(model),
        ]
    attempts = payload.get("attempts")
    if attempts:
        parts += [Text("\nLLM attempts", style="bold"), _attempts(attempts)]
    warnings = payload.get("warnings") or []
    if warnings:
        parts.append(Text("\nWarnings", style="bold yellow"))
        parts += [Text(f"  • {w}") for w in warnings]
    return Group(*parts)


def _option_line(option: dict[str, Any]) -> Text:
    from rich.text import Text

    facts = [
        word
        for key, yes, no in (
            ("entailed", "entailed", "not entailed"),
            ("possible", "possible", "impossible"),
        )
        if option.get(key) is not None
        for word in ([yes] if option[key] else [no])
    ]
    mark = "→ " if option.get("selected") else "  "
    line = Text(f"  {mark}{option.get('label')}) {', '.join(facts)}")
    for index in option.get("used_premises") or []:
        line.append(f"\n      by premise {index + 1}", style="cyan")
    model = option.get("model") or {}
    for assignment in model.get("assignments", []):
        line.append(f"\n      {assignment}", style="dim")
    return line


def show(payload: dict[str, Any], premises: Sequence[Premise] = ()) -> None:
    from rich.console import Console

    Console().print(render(payload, premises))


def _headline(payload: dict[str, Any]) -> Text:
    from rich.text import Text

    verdict, status = payload.get("verdict"), payload.get("status", "")
    if payload.get("answer"):
        line = Text.assemble(
            (f"answer {payload['answer']}", "bold green"),
            f": the option a '{payload.get('kind', '')}' question selects",
        )
    elif verdict in _VERDICTS:
        word, style, meaning = _VERDICTS[verdict]
        line = Text.assemble((word.lower(), style), f": {meaning}")
    else:
        line = Text.assemble((status, "bold magenta"), f": {_STATUSES.get(status, '')}")
        error = payload.get("error") or {}
        if error.get("message"):
            line.append(f" ({error['message']})")
    backend = payload.get("backend")
    if backend:
        line.append(f"   [{backend}, {payload.get('elapsed_ms', 0):g} ms]", style="dim")
    return line


def _premise_line(premises: Sequence[Premise], index: int) -> Text:
    from rich.text import Text

    if index < len(premises):
        p = premises[index]
        line = Text.assemble(("  " + p.label.capitalize() + ": ", "cyan"), p.formula)
        if p.gloss:
            line.append(f'  "{p.gloss}"', style="italic")
        return line
    return Text(f"  premise {index + 1}")


def _node_text(node: dict[str, Any], premises: Sequence[Premise]) -> Text:
    from rich.text import Text

    kind, index = node.get("kind", ""), node.get("premise")
    text = Text()
    text.append(node.get("label", ""), style="bold" if kind != "naf" else "italic")
    if index is not None:
        how = "stated in" if kind == "fact" else "by"
        if index < len(premises):
            p = premises[index]
            text.append(f"   {how} {p.label}: ", style="cyan")
            text.append(p.formula)
            if p.gloss:
                text.append(f'  "{p.gloss}"', style="italic")
        else:
            text.append(f"   {how} premise {index + 1}", style="cyan")
    elif kind == "hypothesis":
        text.append("   assumed, to refute it", style="dim")
    elif kind == "contradiction":
        text.append("   a contradiction", style="dim")
    return text


def _proof_tree(proof: dict[str, Any], premises: Sequence[Premise]) -> Tree:
    from rich.tree import Tree

    nodes = {n["id"]: n for n in proof.get("nodes", [])}
    children: dict[str, list[str]] = {}
    for edge in proof.get("edges", []):
        children.setdefault(edge["source"], []).append(edge["target"])
    root_id = proof.get("root", "n0")
    tree = Tree(_node_text(nodes[root_id], premises))
    stack = [(tree, root_id, frozenset({root_id}))]
    while stack:
        branch, node_id, above = stack.pop()
        for child in children.get(node_id, []):
            if child in above or child not in nodes:
                continue
            sub = branch.add(_node_text(nodes[child], premises))
            stack.append((sub, child, above | {child}))
    return tree


def _countermodel(model: dict[str, Any]) -> RenderableType:
    """Unary predicates as an element × predicate table; the rest as a list of atoms."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    values: dict[tuple[str, tuple[str, ...]], str] = {}
    for fact in model.get("facts", []):
        if m := _FACT.match(fact):
            args = tuple(a.strip() for a in m.group(3).split(",")) if m.group(3) else ()
            values[(m.group(2), args)] = "false" if m.group(1) else "true"
    for atom in model.get("undetermined") or []:
        if m := _FACT.match(atom):
            args = tuple(a.strip() for a in m.group(3).split(",")) if m.group(3) else ()
            values[(m.group(2), args)] = "?"
    unary = sorted({p for p, args in values if len(args) == 1})
    parts: list[RenderableType] = []
    domain = model.get("domain") or []
    if unary and domain:
        table = Table(show_edge=False, header_style="bold")
        table.add_column("")
        for pred in unary:
            table.add_column(pred, justify="center")
        marks = {"true": "[green]✓[/]", "false": "[red]✗[/]", "?": "[yellow]?[/]"}
        for element in domain:
            row = [marks.get(values.get((p, (element,)), ""), "") for p in unary]
            table.add_row(element, *row)
        parts.append(table)
    rest = [(p, a) for p, a in values if len(a) != 1]
    for pred, args in sorted(rest):
        atom = f"{pred}({', '.join(args)})" if args else pred
        parts.append(Text(f"  {atom}: {values[(pred, args)]}"))
    for eq in model.get("equalities") or []:
        parts.append(Text(f"  {eq}"))
    if model.get("undetermined"):
        parts.append(Text("  ? = derived neither true nor false (explicit world)", style="dim"))
    if model.get("truncated"):
        parts.append(Text("  (truncated)", style="dim"))
    return Group(*parts)


def _attempts(attempts: list[dict[str, Any]]) -> Table:
    from rich.table import Table

    table = Table(show_edge=False, header_style="bold")
    for column in ("sample", "round", "result", "error"):
        table.add_column(column)
    for a in attempts:
        error = a.get("error") or {}
        result = a.get("verdict") or a.get("status") or "failed"
        table.add_row(str(a["sample"] + 1), str(a["round"] + 1), result, error.get("message", ""))
    return table


def answer(
    payload: dict[str, Any], premises: Callable[[], Sequence[Premise]], *, as_json: bool
) -> None:
    """JSON for programs (piped, or ``--json``), the readable rendering on a terminal."""
    if as_json or not sys.stdout.isatty():
        from logicsvc.cli._common import emit

        emit(payload)
        return
    show(payload, premises())
