"""The offline fallacy baseline and the fallacy evaluation.

Unit tests use the small sentences below, written for these tests.  The last
test trains on the Logic (edu) data where the shared folder has it; that data
carries no license, so it is read in place and nothing of it is copied here.
"""

from __future__ import annotations

import asyncio
import csv
import json
import re
from collections.abc import Sequence
from pathlib import Path

import pytest

from logicsvc.errors import InputError
from logicsvc.fallacies import LABELS, Classifier, Prediction
from logicsvc.fallacies.baseline import (
    FORMAT_VERSION,
    BaselineClassifier,
    BaselineModel,
    read_labeled_csv,
    read_labeled_rows,
    train,
)
from logicsvc.fallacies.evaluate import evaluate, score

FALLACY_DATA = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "fallacy"

TINY: dict[str, list[str]] = {
    "ad hominem": [
        "Ignore the mayor's budget plan, she cannot even keep her own garden tidy.",
        "Why listen to his views on trains when he failed chemistry in school?",
        "The senator is a liar and a cheat, so his tax proposal is worthless.",
        "You are too young and naive to have an opinion about pensions.",
        "That scientist is rude to waiters, so her climate findings are wrong.",
    ],
    "false dilemma": [
        "Either we ban every car from the city or we accept choking on smog.",
        "You either support the new stadium or you hate our town.",
        "We must cut all school funding or the country will go bankrupt.",
        "Either you are with the coach completely or you are against the team.",
        "Either we build the wall tonight or the river floods every house.",
    ],
    "ad populum": [
        "Millions of people buy this phone, so it must be the best one.",
        "Everyone in the office believes the rumour, so it must be true.",
        "Most people think ghosts exist, therefore ghosts are real.",
        "The whole village agrees the new road is a good idea, so it is.",
        "This diet is popular with everybody at the gym, so it surely works.",
    ],
    "false causality": [
        "I wore my lucky socks and we won the match, so the socks caused the win.",
        "After the new mayor arrived it rained all week, so she brought the rain.",
        "Ice cream sales rise with drownings, so ice cream causes drowning.",
        "I sneezed right before the lights went out, so my sneeze broke the power.",
        "Since the rooster crows before sunrise, the rooster makes the sun rise.",
    ],
}


def _tiny() -> tuple[list[str], list[str]]:
    texts = [text for texts in TINY.values() for text in texts]
    labels = [label for label, texts in TINY.items() for _ in texts]
    return texts, labels


@pytest.fixture(scope="module")
def tiny_model() -> BaselineModel:
    texts, labels = _tiny()
    return train(texts, labels)


def _write_csv(path: Path, rows: Sequence[dict[str, str]], fields: Sequence[str]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(fields))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _tiny_csv(path: Path) -> Path:
    texts, labels = _tiny()
    rows = [
        {"Unnamed: 0": str(i), "source_article": t, "updated_label": lab}
        for i, (t, lab) in enumerate(zip(texts, labels, strict=True))
    ]
    return _write_csv(path, rows, ("Unnamed: 0", "source_article", "updated_label"))


def test_labels_and_model_classes(tiny_model: BaselineModel) -> None:
    assert set(tiny_model.labels) == set(TINY)
    assert set(tiny_model.labels) <= set(LABELS)
    assert tiny_model.n_train == 20


def test_fits_its_training_data(tiny_model: BaselineModel) -> None:
    texts, labels = _tiny()
    predictions = tiny_model.predict(texts)
    assert [p.label for p in predictions] == labels
    for prediction in predictions:
        assert 1 / len(TINY) < prediction.confidence <= 1.0


def test_training_is_deterministic(tiny_model: BaselineModel) -> None:
    texts, labels = _tiny()
    again = train(texts, labels)
    probe = ["Everybody I know says so, so it must be right.", "You are a fool, so you're wrong."]
    assert again.predict(probe) == tiny_model.predict(probe)


def test_save_load_round_trip(tiny_model: BaselineModel, tmp_path: Path) -> None:
    path = tmp_path / "tiny.model"
    size = tiny_model.save(path)
    assert size == path.stat().st_size
    header = json.loads(path.read_bytes().split(b"\n", 1)[0])
    assert header["version"] == FORMAT_VERSION
    assert header["labels"] == list(tiny_model.labels)
    assert header["n_train"] == 20
    loaded = BaselineModel.load(path)
    probe = [
        "The chef is ugly, so his soup recipe cannot be any good.",
        "Either we close the park or the ducks take over the town.",
        "All my neighbours use this soap, so it must be the finest.",
        "The bus was late after I yawned, so my yawn delayed the bus.",
        "A sentence about nothing in particular.",
    ]
    assert loaded.labels == tiny_model.labels
    assert loaded.predict(probe) == tiny_model.predict(probe)


def test_classifier_protocol(tiny_model: BaselineModel) -> None:
    classifier: Classifier = BaselineClassifier(tiny_model)
    assert classifier.name == "baseline"
    texts = ["Either you agree with me or you are an enemy of progress.", ""]
    predictions = asyncio.run(classifier.classify(texts))
    assert len(predictions) == 2
    assert all(isinstance(p, Prediction) for p in predictions)
    assert predictions[0].label == "false dilemma"
    assert asyncio.run(classifier.classify([])) == []


def test_rationale_names_real_features(tiny_model: BaselineModel) -> None:
    text = "Everyone believes the new museum is wonderful, so it must be true."
    (prediction,) = tiny_model.predict([text])
    assert prediction.label == "ad populum"
    assert prediction.rationale.startswith("cues for ad populum: ")
    cues = re.findall(r"'([^']+)' \(\+(\d+\.\d\d)\)", prediction.rationale)
    assert len(cues) == 3
    vocabulary = tiny_model.pipeline.named_steps["features"].transformer_list[0][1].vocabulary_
    for cue, value in cues:
        assert cue in vocabulary, cue
        assert cue in text.lower()
        assert float(value) > 0
    values = [float(v) for _, v in cues]
    assert values == sorted(values, reverse=True)
    # the cues are the strongest contributions the model itself computes
    features = tiny_model.pipeline.named_steps["features"].transform([text])
    best = tiny_model.labels.index("ad populum")
    assert [name for name, _ in tiny_model.cues(features, 0, best)] == [c for c, _ in cues]


def test_bad_model_files(tiny_model: BaselineModel, tmp_path: Path) -> None:
    junk = tmp_path / "junk.model"
    junk.write_bytes(b"\x00\x01 not a model at all")
    with pytest.raises(InputError) as info:
        BaselineModel.load(junk)
    assert info.value.code == "bad_model"

    good = tmp_path / "good.model"
    tiny_model.save(good)
    first, payload = good.read_bytes().split(b"\n", 1)
    header = json.loads(first)

    future = tmp_path / "future.model"
    future.write_bytes(
        json.dumps({**header, "version": FORMAT_VERSION + 1}).encode() + b"\n" + payload
    )
    with pytest.raises(InputError, match="format version") as info:
        BaselineModel.load(future)
    assert info.value.code == "bad_model"

    truncated = tmp_path / "truncated.model"
    truncated.write_bytes(first + b"\n" + payload[: len(payload) // 2])
    with pytest.raises(InputError, match="checksum") as info:
        BaselineModel.load(truncated)
    assert info.value.code == "bad_model"

    with pytest.raises(InputError) as info:
        BaselineModel.load(tmp_path / "absent.model")
    assert info.value.code == "bad_model"


def test_read_labeled_csv(tmp_path: Path) -> None:
    fields = ("Unnamed: 0", "source_article", "updated_label")
    rows = [
        {
            "Unnamed: 0": "0",
            "source_article": "The moon is cheese, says my uncle.",
            "updated_label": "ad populum",
        },
        {"Unnamed: 0": "1", "source_article": "   ", "updated_label": "ad hominem"},
        {
            "Unnamed: 0": "2",
            "source_article": "Rain follows my car wash.",
            "updated_label": " False  Causality ",
        },
    ]
    path = _write_csv(tmp_path / "small.csv", rows, fields)
    texts, labels = read_labeled_csv(path)
    assert labels == ["ad populum", "false causality"]
    assert len(texts) == 2
    detail = read_labeled_rows(path)
    assert detail.ids == [0, 2]
    assert detail.skipped == 1


def test_read_labeled_csv_errors(tmp_path: Path) -> None:
    path = _write_csv(
        tmp_path / "nolabel.csv", [{"text": "Some words.", "tag": "ad hominem"}], ("text", "tag")
    )
    with pytest.raises(InputError, match="'updated_label'") as info:
        read_labeled_csv(path, text_field="text")
    assert info.value.code == "missing_column"
    assert read_labeled_csv(path, text_field="text", label_field="tag") == (
        ["Some words."],
        ["ad hominem"],
    )

    bad = _write_csv(
        tmp_path / "badlabel.csv",
        [{"source_article": "Some words.", "updated_label": "red herring"}],
        ("source_article", "updated_label"),
    )
    with pytest.raises(InputError, match="red herring") as info:
        read_labeled_csv(bad)
    assert info.value.code == "unknown_label"

    with pytest.raises(InputError) as info:
        read_labeled_csv(tmp_path / "absent.csv")
    assert info.value.code == "unreadable_input"


def test_train_rejects_bad_input() -> None:
    with pytest.raises(InputError, match="two different labels"):
        train(["One text here.", "Another text here."], ["ad hominem", "ad hominem"])
    with pytest.raises(InputError) as info:
        train(["One text here.", "Another text here."], ["ad hominem", "strawman"])
    assert info.value.code == "unknown_label"
    with pytest.raises(InputError):
        train(["One text here."], ["ad hominem", "ad populum"])


class _Scripted:
    """A classifier that answers a fixed label per text, batch after batch."""

    name = "scripted"

    def __init__(self, answers: dict[str, str]) -> None:
        self.answers = answers
        self.batches: list[int] = []

    async def classify(self, texts: Sequence[str]) -> list[Prediction]:
        self.batches.append(len(texts))
        return [Prediction(self.answers[t], 0.5, "scripted") for t in texts]


def test_evaluate_matches_a_hand_count(tmp_path: Path) -> None:
    # gold: A A A B B C ; predicted: A A B B C C
    #   A: tp 2, fp 0, fn 1 -> p 1, r 2/3, f1 0.8
    #   B: tp 1, fp 1, fn 1 -> p 1/2, r 1/2, f1 0.5
    #   C: tp 1, fp 1, fn 0 -> p 1/2, r 1, f1 2/3
    #   accuracy 4/6; macro-F1 (0.8 + 0.5 + 2/3) / 3
    a, b, c = "ad hominem", "false dilemma", "ad populum"
    items = [
        ("First made-up text.", a, a),
        ("Second made-up text.", a, a),
        ("Third made-up text.", a, b),
        ("Fourth made-up text.", b, b),
        ("Fifth made-up text.", b, c),
        ("Sixth made-up text.", c, c),
    ]
    rows = [{"source_article": t, "updated_label": g} for t, g, _ in items]
    rows.insert(2, {"source_article": "", "updated_label": a})  # skipped, still numbered
    path = _write_csv(tmp_path / "hand.csv", rows, ("source_article", "updated_label"))
    classifier = _Scripted({t: p for t, _, p in items})
    out, report = tmp_path / "items.jsonl", tmp_path / "report.md"
    summary = evaluate(path, classifier, out=out, report=report, batch_size=4)

    assert classifier.batches == [4, 2]
    assert summary["n"] == 6
    assert summary["skipped"] == 1
    assert summary["accuracy"] == pytest.approx(4 / 6, abs=1e-4)
    assert summary["macro_f1"] == pytest.approx((0.8 + 0.5 + 2 / 3) / 3, abs=1e-4)
    assert summary["per_class"][a] == {"precision": 1.0, "recall": 0.6667, "f1": 0.8, "support": 3}
    assert summary["per_class"][b] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2}
    assert summary["per_class"][c] == {"precision": 0.5, "recall": 1.0, "f1": 0.6667, "support": 1}
    assert summary["confusion"] == {a: {a: 2, b: 1}, c: {c: 1}, b: {b: 1, c: 1}}

    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == [0, 1, 3, 4, 5, 6]
    assert [(r["gold"], r["predicted"]) for r in records] == [(g, p) for _, g, p in items]
    assert all(r["confidence"] == 0.5 for r in records)

    text = report.read_text(encoding="utf-8")
    assert "| scripted | 6 | 1 | 0.6667 |" in text
    assert report.with_suffix(".png").read_bytes().startswith(b"\x89PNG")


def test_score_counts_none_as_a_miss() -> None:
    summary = score(["ad hominem", "ad populum"], ["ad hominem", "none"])
    assert summary["accuracy"] == 0.5
    # macro over the gold labels only: ad hominem 1.0, ad populum 0.0
    assert summary["macro_f1"] == 0.5
    assert summary["per_class"]["none"]["support"] == 0
    assert summary["confusion"]["ad populum"] == {"none": 1}


@pytest.mark.slow
def test_logic_edu_dev(tmp_path: Path) -> None:
    logic = FALLACY_DATA / "logic"
    train_csv, dev_csv = logic / "edu_train.csv", logic / "edu_dev.csv"
    if not (train_csv.is_file() and dev_csv.is_file()):
        pytest.skip(f"Logic (edu) data not found under {logic}")
    texts, labels = read_labeled_csv(train_csv)
    model = train(texts, labels)
    path = tmp_path / "edu.model"
    model.save(path)
    report = tmp_path / "edu_dev.md"
    summary = evaluate(dev_csv, BaselineClassifier(BaselineModel.load(path)), report=report)
    assert summary["n"] == 300
    assert set(summary["per_class"]) == set(LABELS)
    assert summary["macro_f1"] > 0.3
    assert summary["accuracy"] > 0.35
    assert report.with_suffix(".png").is_file()


def test_two_classes_give_rationales_for_both() -> None:
    texts, labels = _tiny()
    pairs = [
        (t, lab)
        for t, lab in zip(texts, labels, strict=True)
        if lab in ("ad hominem", "ad populum")
    ]
    model = train([t for t, _ in pairs], [lab for _, lab in pairs])
    probe = [
        "You are a liar, so your plan is worthless.",
        "Everyone believes it, so it must be true.",
    ]
    predictions = model.predict(probe)
    assert [p.label for p in predictions] == ["ad hominem", "ad populum"]
    for prediction in predictions:
        assert prediction.rationale.startswith(f"cues for {prediction.label}: '")
