"""Evaluation reports: a short markdown file and a PNG of the same figures.

The markdown carries the summary, the confusion matrix (gold × predicted,
"none" where no program gave an answer) and accuracy by depth where the data
has depths; the PNG draws the matrix and the depth curve for a quick look.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from logicsvc.evaluation.common import Tally

_ORDER = ("true", "false", "unknown", "none")


def _labels(tally: Tally) -> tuple[list[str], list[str]]:
    golds = {g for g, _ in tally.confusion}
    preds = {p for _, p in tally.confusion}

    def ordered(names: set[str]) -> list[str]:
        return sorted(names, key=lambda n: (_ORDER.index(n) if n in _ORDER else len(_ORDER), n))

    return ordered(golds), ordered(preds | {"none"} if "none" in preds else preds)


def markdown(tally: Tally, summary: dict[str, Any], title: str, png_name: str) -> str:
    golds, preds = _labels(tally)
    lines = [f"# {title}", ""]
    headline = ("n", "parsed", "translated", "executable", "correct", "accuracy", "llm_calls")
    lines.append("| " + " | ".join(k for k in headline if k in summary) + " |")
    lines.append("|" + "---|" * sum(k in summary for k in headline))
    lines.append("| " + " | ".join(str(summary[k]) for k in headline if k in summary) + " |")
    lines += ["", "## Confusion matrix (rows: gold, columns: predicted)", ""]
    lines.append("| gold \\ predicted | " + " | ".join(preds) + " |")
    lines.append("|---|" + "---|" * len(preds))
    for gold in golds:
        row = [str(tally.confusion.get((gold, pred), 0)) for pred in preds]
        lines.append(f"| **{gold}** | " + " | ".join(row) + " |")
    if tally.depth_n:
        lines += ["", "## Accuracy by depth", "", "| depth | n | correct | accuracy |"]
        lines.append("|---|---|---|---|")
        for depth, stats in tally.by_depth().items():
            lines.append(
                f"| {depth} | {stats['n']:g} | {stats['correct']:g} | {stats['accuracy']:.4f} |"
            )
    if summary.get("errors"):
        lines += ["", "## Errors", "", "| code | count |", "|---|---|"]
        lines += [f"| {code} | {count} |" for code, count in summary["errors"].items()]
    lines += ["", f"![figures]({png_name})", ""]
    return "\n".join(lines)


def plot(tally: Tally, title: str, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")  # no display, no GUI toolkit: safe in servers and CI
    import matplotlib.pyplot as plt

    golds, preds = _labels(tally)
    panels = 2 if tally.depth_n else 1
    fig, axes = plt.subplots(1, panels, figsize=(5.5 * panels, 4.5), squeeze=False)
    ax = axes[0][0]
    matrix = [[tally.confusion.get((g, p), 0) for p in preds] for g in golds]
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(preds)), preds)
    ax.set_yticks(range(len(golds)), golds)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    ax.set_title("confusion matrix")
    peak = max((max(row) for row in matrix), default=0)
    for i, row in enumerate(matrix):
        for j, value in enumerate(row):
            color = "white" if peak and value > peak / 2 else "black"
            ax.text(j, i, str(value), ha="center", va="center", color=color)
    if tally.depth_n:
        rows = tally.by_depth()
        depth_ax = axes[0][1]
        depth_ax.plot(list(rows), [r["accuracy"] for r in rows.values()], marker="o")
        depth_ax.set_ylim(0, 1.02)
        depth_ax.set_xlabel("depth")
        depth_ax.set_ylabel("accuracy")
        depth_ax.set_title("accuracy by depth")
        depth_ax.grid(alpha=0.3)
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_report(tally: Tally, summary: dict[str, Any], path: Path, title: str) -> Path:
    """Write ``path`` (markdown) and the PNG beside it; returns the PNG's path."""
    png = path.with_suffix(".png")
    plot(tally, title, png)
    path.write_text(markdown(tally, summary, title, png.name), encoding="utf-8")
    return png
