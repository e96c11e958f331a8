"""The ``logicsvc`` command line; this module is its whole command table.

Contract (other tools call it exactly like this):

- ``logicsvc prove FILE|-``: one JSON object on stdout; exit 0 for any
  result, 2 for invalid input (the JSON then holds ``error``).
- ``logicsvc eval …``: the last stdout line is one JSON summary object;
  ``--out`` writes one JSON line per item.
- ``logicsvc export --tptp FILE|-``: the problem as TPTP FOF.
- ``logicsvc serve``: the HTTP service.
- ``logicsvc mcp``: the prover as MCP tools (stdio, or streamable HTTP).

Every failure the user caused is a JSON ``error`` on stdout, its message on
stderr, and exit status 2 (:func:`logicsvc.cli._common.fail`); only a command line
the option parser refuses (an unknown option, a value outside its range) is said on
stderr alone, with the same exit status 2.
"""

from __future__ import annotations

import typer

from logicsvc.cli import agents, evaluate, fallacies, problems, serving
from logicsvc.cli._common import BackendChoice, TranslatorChoice, WorldChoice

__all__ = ["BackendChoice", "TranslatorChoice", "WorldChoice", "app", "main"]

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Neurosymbolic logical reasoning: parse, check and prove first-order problems.",
)
app.command("prove")(problems.prove)
app.command("export")(problems.export)
app.command("reason")(problems.reason)

eval_app = typer.Typer(no_args_is_help=True, help="Score logicsvc on labelled datasets.")
eval_app.callback()(evaluate.progress_option)
eval_app.command("folio-gold")(evaluate.folio_gold)
eval_app.command("proofwriter")(evaluate.proofwriter)
eval_app.command("folio")(evaluate.folio)
eval_app.command("programs")(evaluate.programs)
eval_app.command("prontoqa")(evaluate.prontoqa)
eval_app.command("logical-deduction")(evaluate.logical_deduction)
eval_app.command("ar-lsat")(evaluate.ar_lsat)
eval_app.command("fallacies")(fallacies.evaluate)
app.add_typer(eval_app, name="eval")

fallacies_app = typer.Typer(
    cls=fallacies.RunByDefault,
    no_args_is_help=True,
    help="Flag fallacious arguments in text collections: fallacies IN -o OUT, or train.",
)
fallacies_app.command("run")(fallacies.run)
fallacies_app.command("train")(fallacies.train)
app.add_typer(fallacies_app, name="fallacies")

app.command("replay-server")(serving.replay_server)
app.command("serve")(serving.serve)
app.command("mcp")(agents.mcp)


def main() -> None:
    """The ``logicsvc`` console script; the process ends when it returns."""
    import sys

    from logicsvc.cli._common import ray_flag_value

    try:
        app(args=ray_flag_value(sys.argv[1:]))
    finally:
        import gc

        # the process ends here: without this the collector walks everything once more on
        # the way out, ~80 ms after an evaluation whose memos hold ~130k objects (issue 18)
        gc.freeze()
