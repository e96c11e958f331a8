"""The detector users run: the formal check first, a classifier for everything else.

A text that is an argument the prover can read gets a proved answer: an
invalid inference is a "fallacy of logic" with the countermodel as its
explanation, a valid one is ``none``. Every other text goes to the classifier
(the offline baseline or the LLM).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from logicsvc.fallacies import NONE, Classifier, Prediction
from logicsvc.fallacies.formal import FORMAL_LABEL, FormalCheck, check


def formal_prediction(result: FormalCheck) -> Prediction:
    if result.valid:
        return Prediction(NONE, 1.0, f"valid inference ({result.form}): {result.explanation}",
                          formal=result.to_dict())  # fmt: skip
    return Prediction(
        FORMAL_LABEL, 1.0, f"{result.form}: {result.explanation}", formal=result.to_dict()
    )


class FallacyDetector:
    name = "detector"

    def __init__(self, classifier: Classifier, *, formal: bool = True) -> None:
        self.classifier = classifier
        self.formal = formal

    async def classify(self, texts: Sequence[str]) -> list[Prediction]:
        checks: list[FormalCheck | None] = [None] * len(texts)
        if self.formal:
            checks = list(await asyncio.gather(*(asyncio.to_thread(check, t) for t in texts)))
        rest = [i for i, c in enumerate(checks) if c is None]
        informal = await self.classifier.classify([texts[i] for i in rest]) if rest else []
        out: list[Prediction] = [
            formal_prediction(c) if c is not None else Prediction(NONE, 0.0, "") for c in checks
        ]
        for index, prediction in zip(rest, informal, strict=True):
            out[index] = prediction
        return out
