"""Score a fallacy classifier on a labelled CSV: accuracy, macro-F1, per class, confusion.

Any :class:`~logicsvc.fallacies.Classifier` works (the offline baseline, the
LLM).  Texts go to it in batches; with ``out`` every item becomes a JSON line
(``id`` = the 0-based data row of the CSV, gold, predicted, confidence,
rationale) as soon as its batch is answered, so a killed run keeps what it did.
With ``report`` a markdown report is written there and a confusion-matrix
heatmap (PNG) beside it.

Macro-F1 averages over the labels present in the gold data; a prediction
outside them (``none``, or a class absent from the file) counts as a miss for
its gold class and appears in ``per_class`` and the confusion matrix.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import Any

from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

from logicsvc.errors import InputError, LogicsvcError
from logicsvc.evaluation.common import open_sink
from logicsvc.fallacies import Classifier, Prediction
from logicsvc.fallacies.baseline import VALID_LABELS, read_labeled_rows

DEFAULT_BATCH = 64
FAILED = "(no answer)"
"""What a text the classifier could not answer is scored as: a miss, never a label."""


def _ordered(names: set[str]) -> list[str]:
    known = [label for label in VALID_LABELS if label in names]
    return known + sorted(names - set(VALID_LABELS))


def score(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, Any]:
    """The figures for paired gold/predicted labels (no I/O)."""
    gold_labels = _ordered(set(gold))
    all_labels = _ordered(set(gold) | set(predicted))
    precision, recall, f1, support = precision_recall_fscore_support(
        list(gold), list(predicted), labels=all_labels, zero_division=0
    )
    per_class = {
        label: {
            "precision": round(float(precision[i]), 4),
            "recall": round(float(recall[i]), 4),
            "f1": round(float(f1[i]), 4),
            "support": int(support[i]),
        }
        for i, label in enumerate(all_labels)
    }
    pairs = Counter(zip(gold, predicted, strict=True))
    confusion = {g: {p: pairs[(g, p)] for p in all_labels if pairs[(g, p)]} for g in gold_labels}
    macro = f1_score(
        list(gold), list(predicted), labels=gold_labels, average="macro", zero_division=0
    )
    return {
        "n": len(gold),
        "accuracy": round(float(accuracy_score(list(gold), list(predicted))), 4),
        "macro_f1": round(float(macro), 4),
        "per_class": per_class,
        "confusion": confusion,
    }


Answerer = Callable[[list[list[str]]], AsyncIterator[list[Prediction]]]
"""Batches of texts in, each batch's predictions out, in order."""


async def _one_by_one(
    classifier: Classifier, batches: list[list[str]]
) -> AsyncIterator[list[Prediction]]:
    for batch in batches:
        yield await classifier.classify(batch)


async def evaluate_async(
    path: Path,
    classifier: Classifier,
    *,
    text_field: str | None = None,
    label_field: str = "updated_label",
    out: Path | None = None,
    report: Path | None = None,
    batch_size: int = DEFAULT_BATCH,
    answerer: Answerer | None = None,
) -> dict[str, Any]:
    """Classify every row of ``path`` and score it; returns the summary dict.

    Keys: ``n``, ``accuracy``, ``macro_f1``, ``per_class`` (label → precision,
    recall, f1, support), ``confusion`` (gold → predicted → count, non-zero
    cells), plus ``path``, ``classifier``, ``skipped`` (empty texts), ``failed``
    (texts the classifier could not answer, scored as misses under :data:`FAILED`)
    and ``elapsed_s``.  ``answerer`` classifies all the batches (in order) some other way
    than one ``classifier.classify`` call after another: on a Ray cluster, say.
    """
    rows = read_labeled_rows(path, text_field, label_field)
    if not rows.texts:
        raise InputError(f"{path}: no labelled rows with text", code="empty_dataset")
    started = time.perf_counter()
    predicted: list[str] = []
    failed = 0
    with open_sink(out, total=len(rows.texts), name=path.name) as sink:
        size = max(1, batch_size)
        batches = [rows.texts[start : start + size] for start in range(0, len(rows.texts), size)]
        stream = answerer(batches) if answerer is not None else _one_by_one(classifier, batches)
        start = 0
        async for answers in stream:
            batch = batches[start // size]
            if len(answers) != len(batch):
                raise LogicsvcError(
                    f"classifier {classifier.name!r} answered {len(answers)} predictions "
                    f"for {len(batch)} texts",
                    code="classifier_error",
                )
            for offset, answer in enumerate(answers):
                index = start + offset
                record: dict[str, Any] = {"id": rows.ids[index], "gold": rows.labels[index]}
                if answer.error is not None:  # no answer: a miss, shown as its own column
                    failed += 1
                    predicted.append(FAILED)
                    sink.write({**record, "predicted": None, "error": answer.error})
                    continue
                predicted.append(answer.label)
                record.update(
                    predicted=answer.label,
                    confidence=round(answer.confidence, 4),
                    rationale=answer.rationale,
                )
                sink.write(record)
            start += size
    summary: dict[str, Any] = {
        "path": str(path),
        "classifier": classifier.name,
        "skipped": rows.skipped,
        "failed": failed,
        **score(rows.labels, predicted),
        "elapsed_s": round(time.perf_counter() - started, 3),
    }
    if report is not None:
        write_report(summary, report, f"Fallacies: {classifier.name} on {Path(path).name}")
    return summary


def evaluate(path: Path, classifier: Classifier, **options: Any) -> dict[str, Any]:
    """:func:`evaluate_async` in an event loop of its own (the CLI's entry point)."""
    return asyncio.run(evaluate_async(path, classifier, **options))


def _axes_labels(summary: dict[str, Any]) -> tuple[list[str], list[str]]:
    golds = list(summary["confusion"])
    return golds, _ordered(set(golds) | set(summary["per_class"]))


def markdown(summary: dict[str, Any], title: str, png_name: str) -> str:
    golds, preds = _axes_labels(summary)
    lines = [f"# {title}", ""]
    headline = ("classifier", "n", "skipped", "accuracy", "macro_f1")
    lines.append("| " + " | ".join(headline) + " |")
    lines.append("|" + "---|" * len(headline))
    lines.append("| " + " | ".join(str(summary[k]) for k in headline) + " |")
    lines += ["", "## Per class", "", "| label | precision | recall | F1 | support |"]
    lines.append("|---|---|---|---|---|")
    for label, stats in summary["per_class"].items():
        lines.append(
            f"| {label} | {stats['precision']:.4f} | {stats['recall']:.4f} "
            f"| {stats['f1']:.4f} | {stats['support']} |"
        )
    lines += ["", "## Confusion matrix (rows: gold, columns: predicted)", ""]
    lines.append("| gold \\ predicted | " + " | ".join(preds) + " |")
    lines.append("|---|" + "---|" * len(preds))
    for gold in golds:
        row = [str(summary["confusion"][gold].get(pred, 0)) for pred in preds]
        lines.append(f"| **{gold}** | " + " | ".join(row) + " |")
    lines += ["", f"![confusion matrix]({png_name})", ""]
    return "\n".join(lines)


def plot(summary: dict[str, Any], title: str, path: Path) -> None:
    """Heatmap of the confusion matrix: colour is the row share, text the count."""
    import matplotlib

    matplotlib.use("Agg")  # no display, no GUI toolkit: safe in servers and CI
    import matplotlib.pyplot as plt

    golds, preds = _axes_labels(summary)
    counts = [[summary["confusion"][g].get(p, 0) for p in preds] for g in golds]
    shares = [[value / (sum(row) or 1) for value in row] for row in counts]
    size = 2.5 + 0.55 * max(len(preds), len(golds))
    fig, ax = plt.subplots(figsize=(size + 1.5, size))
    image = ax.imshow(shares, cmap="Blues", vmin=0.0, vmax=1.0)
    ax.set_xticks(range(len(preds)), preds, rotation=45, ha="right", fontsize=9)
    ax.set_yticks(range(len(golds)), golds, fontsize=9)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    for i, row in enumerate(counts):
        for j, value in enumerate(row):
            if value:
                color = "white" if shares[i][j] > 0.5 else "black"
                ax.text(j, i, str(value), ha="center", va="center", color=color, fontsize=8)
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="share of the gold row")
    ax.set_title(
        f"{title}\nn={summary['n']}  accuracy={summary['accuracy']:.3f}  "
        f"macro-F1={summary['macro_f1']:.3f}",
        fontsize=10,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_report(summary: dict[str, Any], path: Path, title: str) -> Path:
    """Write ``path`` (markdown) and the PNG beside it; returns the PNG's path."""
    png = Path(path).with_suffix(".png")
    plot(summary, title, png)
    Path(path).write_text(markdown(summary, title, png.name), encoding="utf-8")
    return png
