"""`morrow evidence [QUERY]`: the graded claims, as a table for people or JSON for scripts."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

_STYLE = {"supported": "green", "mixed": "yellow", "insufficient": "magenta", "contradicted": "red"}


def register(app: typer.Typer) -> None:
    @app.command("evidence")
    def evidence_command(
        words: Annotated[
            list[str] | None, typer.Argument(metavar="[QUERY]...", help="Words that must all appear (any case).")
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
    ) -> None:
        """List graded claims (verdict, claim, sources), optionally filtered by QUERY."""
        from morrow.evidence import find_claims

        query = " ".join(words or [])
        found = find_claims(query)
        if as_json:
            sys.stdout.write(json.dumps({"claims": [c.to_json() for c in found]}, ensure_ascii=False) + "\n")
            return
        from rich.console import Console
        from rich.markup import escape
        from rich.table import Table

        table = Table(title=f"Graded claims ({len(found)})", show_lines=True, expand=True)
        table.add_column("claim and what the evidence says", ratio=4)
        table.add_column("verdict", ratio=1)
        table.add_column("sources", justify="right", no_wrap=True)
        for c in found:
            verdict = f"[{_STYLE[c.verdict]}]{c.verdict}[/]" + ("\nUNCONFIRMED details" if c.unconfirmed else "")
            text = f"[bold]{escape(c.claim)}[/]\n{escape(c.summary)}\n[dim]{c.id}[/]"
            table.add_row(text, verdict, str(len(c.sources)))
        if not found:
            Console(stderr=True).print(f"No claim matches {query!r}. Try one word, such as 'kratom' or 'sleep'.")
            return
        Console().print(table)
