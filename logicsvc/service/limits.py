"""The deployment's limits on a request, checked before the work they bound.

Each check is cheap (a count, one pass over the text) and runs before the expensive
step it protects: a program's premise lines before it is parsed, a request's worst-case
LLM calls before the first call. Past a limit the request is a 422 naming the limit.
"""

from __future__ import annotations

from logicsvc.errors import InputError
from logicsvc.service.schemas import TranslateRequest
from logicsvc.settings import Settings


def check_count(settings: Settings, premises: int) -> None:
    """The deployment's limit on premises (a conclusion is not one)."""
    check_premise_count(settings.max_premises, premises)


def check_premise_count(limit: int, premises: int) -> None:
    """:func:`check_count` with the limit alone: a prover worker checks a parsed program
    without the server's settings."""
    if premises > limit:
        raise InputError(
            f"{premises} premises is more than the limit of {limit}",
            code="too_many_premises",
        )


def check_llm_budget(
    settings: Settings, llm_configured: bool, problems: list[TranslateRequest]
) -> None:
    """The deployment's caps on LLM work, checked before any call: samples and rounds per
    problem, and the calls a request may cause at worst (each problem: one call for its
    first samples, then one per failing sample per round), since one request of 64
    problems x 16 samples x 10 rounds would otherwise cost ~10,000 calls."""
    if not llm_configured:
        return  # no call can be made; translator=llm is refused on its own terms
    worst = 0
    for index, body in enumerate(problems):
        if body.translator == "rules":
            continue
        where = f"problem {index}: " if len(problems) > 1 else ""
        if body.samples > settings.max_samples:
            raise InputError(
                f"{where}samples={body.samples} is more than this server's limit of "
                f"{settings.max_samples} (LOGICSVC_MAX_SAMPLES)",
                code="too_many_llm_calls",
            )
        if body.rounds > settings.max_rounds:
            raise InputError(
                f"{where}rounds={body.rounds} is more than this server's limit of "
                f"{settings.max_rounds} (LOGICSVC_MAX_ROUNDS)",
                code="too_many_llm_calls",
            )
        worst += 1 + body.samples * body.rounds
    if worst > settings.max_llm_calls:
        raise InputError(
            f"this request could cause {worst} LLM calls; this server's limit is "
            f"{settings.max_llm_calls} per request (LOGICSVC_MAX_LLM_CALLS): "
            "ask for fewer problems, samples or rounds",
            code="too_many_llm_calls",
        )


def check_program_text(settings: Settings, program: str) -> None:
    """The limits on a whole program, checked in one pass before it is parsed (parsing
    costs ~15 s per MB; a body of 27,000 premise lines must be refused for the price
    of counting them): its length, its nesting and its premise lines (one premise a
    line; blank and ``#`` lines are not premises)."""
    lines = (line.strip() for line in program.splitlines())
    section, premises = "", 0
    for line in lines:
        if line in ("Predicates:", "Premises:", "Conclusion:"):
            section = line
        elif section == "Premises:" and line and not line.startswith("#"):
            premises += 1
    check_count(settings, premises)
    if len(program) > settings.max_program_chars:
        raise InputError(
            f"the program has {len(program)} characters; the limit is {settings.max_program_chars}",
            code="text_too_long",
        )
    check_texts(settings, [program], "program", whole=True)


def check_texts(settings: Settings, texts: list[str], what: str, *, whole: bool = False) -> None:
    """The deployment's limits on each text: length and nesting (422 when exceeded).

    ``whole``: the text is a whole program, bounded by the body size rather than by
    the per-premise length.
    """
    for index, text in enumerate(texts):
        if not whole and len(text) > settings.max_text_chars:
            raise InputError(
                f"{what} {index + 1} has {len(text)} characters; "
                f"the limit is {settings.max_text_chars}",
                code="text_too_long",
            )
        if text.count("(") <= settings.max_nesting:
            continue  # it cannot nest deeper than it has '('s; the walk costs ~0.3 ms per KB
        depth = deepest = 0
        for ch in text:
            if ch == "(":
                depth += 1
                deepest = max(deepest, depth)
            elif ch == ")":
                depth = max(depth - 1, 0)  # a stray ')' must not pay for later '('s
        if deepest > settings.max_nesting:
            raise InputError(
                f"{what} {index + 1} nests parentheses {deepest} deep; "
                f"the limit is {settings.max_nesting}",
                code="too_deep",
            )
