"""The offline fallacy baseline: tf-idf n-grams and a linear classifier, no LLM.

Features are word 1–2-grams and character 2–5-grams (within word boundaries),
each tf-idf weighted and L2-normalised, concatenated; the classifier is a
multinomial logistic regression with class weights balanced against the label
counts (the Logic dataset is skewed: "faulty generalization" is eight times
"equivocation").  Training is deterministic: the same rows give the same model.

A model file is one file: a JSON header line (format name and version, labels,
training size, scikit-learn version, SHA-256 of the payload) followed by the
joblib pickle of the fitted pipeline.  :meth:`BaselineModel.load` refuses a file
whose header is missing, of another format version, or whose payload does not
match its checksum, with :class:`~logicsvc.errors.InputError` code ``bad_model``.
Like every pickle, a model file runs code when loaded: load only files you trust.
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from logicsvc.errors import InputError
from logicsvc.fallacies import LABELS, NONE, Prediction
from logicsvc.fallacies.columns import did_you_mean, text_field_of

log = logging.getLogger(__name__)

FORMAT = "logicsvc-fallacy-baseline"
FORMAT_VERSION = 1
"""Bump when the pipeline's structure changes; old files are then refused."""
VALID_LABELS: tuple[str, ...] = (*LABELS, NONE)
"""Training labels: the 13 classes, and ``none`` for texts without a fallacy."""
DEFAULT_C = 3.0
"""Inverse regularisation strength; 3 and 10 tie in 5-fold CV on edu_train (macro-F1 0.51)."""
RANDOM_STATE = 0
_HEADER_LIMIT = 1 << 20


@dataclass(frozen=True, slots=True)
class LabeledRows:
    """A labelled CSV: kept rows in file order, with their 0-based data row indices."""

    ids: list[int]
    texts: list[str]
    labels: list[str]
    skipped: int
    """Rows left out because their text was empty."""


def _canonical_label(raw: str) -> str | None:
    name = " ".join(raw.split()).lower()
    return name if name in VALID_LABELS else None


def read_labeled_rows(
    path: Path, text_field: str | None = None, label_field: str = "updated_label"
) -> LabeledRows:
    """Read a labelled CSV; rows with empty text are skipped and counted.

    Labels are matched case-insensitively (whitespace collapsed) against
    :data:`VALID_LABELS`; anything else is an :class:`InputError`.
    """
    ids: list[int] = []
    texts: list[str] = []
    labels: list[str] = []
    skipped = 0
    try:
        with Path(path).open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            columns = reader.fieldnames or []
            text_field = text_field_of(text_field, columns, str(path))
            if label_field not in columns:
                shown = [c for c in columns if c and not c.startswith("Unnamed:")]
                raise InputError(
                    f"{path}: no column {label_field!r}; the file has "
                    f"{', '.join(repr(c) for c in shown) or 'no named columns'}"
                    f"{did_you_mean(label_field, columns)}",
                    code="missing_column",
                )
            for index, row in enumerate(reader):
                text = (row.get(text_field) or "").strip()
                raw_label = row.get(label_field) or ""
                if not text:
                    skipped += 1
                    continue
                label = _canonical_label(raw_label)
                if label is None:
                    raise InputError(
                        f"{path}: data row {index} (line {reader.line_num}): unknown label "
                        f"{raw_label!r}; expected one of {', '.join(VALID_LABELS)}",
                        code="unknown_label",
                    )
                ids.append(index)
                texts.append(text)
                labels.append(label)
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path}: {exc}", code="unreadable_input") from None
    except csv.Error as exc:
        raise InputError(f"{path}: not a readable CSV ({exc})", code="bad_csv") from None
    return LabeledRows(ids=ids, texts=texts, labels=labels, skipped=skipped)


def read_labeled_csv(
    path: Path, text_field: str | None = None, label_field: str = "updated_label"
) -> tuple[list[str], list[str]]:
    """``(texts, labels)`` of a labelled CSV (see :func:`read_labeled_rows`)."""
    rows = read_labeled_rows(path, text_field, label_field)
    if rows.skipped:
        log.warning("%s: skipped %d rows with empty text", path, rows.skipped)
    return rows.texts, rows.labels


def _pipeline(c: float) -> Pipeline:
    features = FeatureUnion(
        [
            ("word", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)),
            (
                "char",
                TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
            ),
        ]
    )
    classifier = LogisticRegression(
        C=c, class_weight="balanced", max_iter=3000, random_state=RANDOM_STATE
    )
    return Pipeline([("features", features), ("classifier", classifier)])


@dataclass
class BaselineModel:
    """A fitted pipeline and what the header records about it."""

    pipeline: Pipeline
    labels: tuple[str, ...]
    """The classes the model can answer, in the classifier's column order."""
    n_train: int
    _names: tuple[np.ndarray[Any, Any], int] | None = field(default=None, repr=False)

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        """Synchronous prediction (the classifier runs this in a thread)."""
        if not texts:
            return []
        features = self.pipeline.named_steps["features"].transform(list(texts))
        probabilities = self.pipeline.named_steps["classifier"].predict_proba(features)
        out = []
        for row in range(len(texts)):
            best = int(np.argmax(probabilities[row]))
            label = self.labels[best]
            out.append(
                Prediction(
                    label=label,
                    confidence=float(probabilities[row, best]),
                    rationale=self._rationale(features, row, best, label),
                )
            )
        return out

    def cues(self, features: Any, row: int, best: int, k: int = 3) -> list[tuple[str, float]]:
        """The ``k`` features that pushed ``row`` hardest towards class ``best``.

        A feature's contribution is its coefficient for the class times its
        tf-idf value.  Word n-grams are preferred (a reader can judge them);
        character n-grams fill in only when fewer than ``k`` words contribute.
        """
        classifier = self.pipeline.named_steps["classifier"]
        coef = classifier.coef_
        # with two classes there is one row of weights, positive towards classes_[1]
        binary = coef.shape[0] == 1
        weights = coef[best] if not binary else (coef[0] if best == 1 else -coef[0])
        names, n_word = self._feature_names()
        vector = features[row].tocsr()
        columns = vector.indices
        contributions = weights[columns] * vector.data
        positive = contributions > 0
        columns, contributions = columns[positive], contributions[positive]
        order = np.argsort(-contributions, kind="stable")
        ranked = [
            (int(c), float(v)) for c, v in zip(columns[order], contributions[order], strict=True)
        ]
        chosen = [cv for cv in ranked if cv[0] < n_word][:k]
        if len(chosen) < k:
            chosen += [cv for cv in ranked if cv[0] >= n_word][: k - len(chosen)]
        return [(str(names[c]), v) for c, v in chosen]

    def _rationale(self, features: Any, row: int, best: int, label: str) -> str:
        cues = self.cues(features, row, best)
        if not cues:
            return f"no cue in the text points to {label}; chosen by the class bias"
        listed = ", ".join(f"'{name.strip()}' ({value:+.2f})" for name, value in cues)
        return f"cues for {label}: {listed}"

    def _feature_names(self) -> tuple[np.ndarray[Any, Any], int]:
        if self._names is None:
            union = self.pipeline.named_steps["features"]
            vectorizers = dict(union.transformer_list)
            word = vectorizers["word"].get_feature_names_out()
            char = vectorizers["char"].get_feature_names_out()
            self._names = (np.concatenate([word, char]), len(word))
        return self._names

    def header(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "labels": list(self.labels),
            "n_train": self.n_train,
            "sklearn": sklearn.__version__,
        }

    def save(self, path: Path) -> int:
        """Write the model to ``path`` (one file); returns its size in bytes."""
        buffer = io.BytesIO()
        joblib.dump(self.pipeline, buffer, compress=3)
        payload = buffer.getvalue()
        header = {**self.header(), "sha256": hashlib.sha256(payload).hexdigest()}
        data = json.dumps(header, sort_keys=True).encode("utf-8") + b"\n" + payload
        Path(path).write_bytes(data)
        return len(data)

    @classmethod
    def load(cls, path: Path) -> BaselineModel:
        """Read a file written by :meth:`save`; anything else is ``bad_model``."""
        try:
            with Path(path).open("rb") as handle:
                first = handle.readline(_HEADER_LIMIT)
                payload = handle.read()
        except OSError as exc:
            raise InputError(f"cannot read model {path}: {exc}", code="bad_model") from None
        try:
            header = json.loads(first)
        except (UnicodeDecodeError, json.JSONDecodeError):
            header = None
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise InputError(
                f"{path} is not a fallacy baseline model (no '{FORMAT}' header)", code="bad_model"
            )
        if header.get("version") != FORMAT_VERSION:
            raise InputError(
                f"{path} is a baseline model of format version {header.get('version')!r}; "
                f"this logicsvc reads version {FORMAT_VERSION}: retrain it",
                code="bad_model",
            )
        if header.get("sha256") != hashlib.sha256(payload).hexdigest():
            raise InputError(
                f"{path}: the model payload does not match its checksum (truncated or altered)",
                code="bad_model",
            )
        if header.get("sklearn") != sklearn.__version__:
            log.warning(
                "%s was trained with scikit-learn %s, this is %s; predictions may differ",
                path,
                header.get("sklearn"),
                sklearn.__version__,
            )
        try:
            pipeline = joblib.load(io.BytesIO(payload))
        except Exception as exc:  # unpickling can fail in many ways
            raise InputError(
                f"{path}: cannot unpickle the model ({exc})", code="bad_model"
            ) from None
        if not isinstance(pipeline, Pipeline):
            raise InputError(f"{path}: the payload is not a pipeline", code="bad_model")
        labels = tuple(str(c) for c in pipeline.named_steps["classifier"].classes_)
        if labels != tuple(header.get("labels", ())):
            raise InputError(f"{path}: header labels differ from the model's", code="bad_model")
        return cls(pipeline=pipeline, labels=labels, n_train=int(header.get("n_train", 0)))


def train(texts: Sequence[str], labels: Sequence[str], *, c: float = DEFAULT_C) -> BaselineModel:
    """Fit the baseline on ``texts`` labelled with ``labels`` (from :data:`VALID_LABELS`)."""
    if len(texts) != len(labels):
        raise InputError(f"{len(texts)} texts but {len(labels)} labels", code="bad_training_data")
    canonical = []
    for label in labels:
        name = _canonical_label(label)
        if name is None:
            raise InputError(
                f"unknown label {label!r}; expected one of {', '.join(VALID_LABELS)}",
                code="unknown_label",
            )
        canonical.append(name)
    if len(set(canonical)) < 2:
        raise InputError("training needs at least two different labels", code="bad_training_data")
    pipeline = _pipeline(c)
    try:
        pipeline.fit(list(texts), canonical)
    except ValueError as exc:  # e.g. an empty vocabulary
        raise InputError(f"cannot train: {exc}", code="bad_training_data") from None
    classes = tuple(str(x) for x in pipeline.named_steps["classifier"].classes_)
    return BaselineModel(pipeline=pipeline, labels=classes, n_train=len(canonical))


class BaselineClassifier:
    """:class:`~logicsvc.fallacies.Classifier` over a :class:`BaselineModel`."""

    name = "baseline"

    def __init__(self, model: BaselineModel) -> None:
        self.model = model

    async def classify(self, texts: Sequence[str]) -> list[Prediction]:
        return await asyncio.to_thread(self.model.predict, list(texts))
