"""Clinic-operator commands for tapers, dose changes, sleep windows and adherence, run as Morrow itself.

`morrow taper create|approve|status|pause|resume|reverse`, `morrow change propose|decide|queue`, `morrow sleep-window
propose|decide` and `morrow adherence`. "Today" is the patient's local date unless `--today` is given.
Refusals are `DomainError`s, which `morrow.cli.app.main` prints as one line.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from morrow.runtime import Runtime
    from morrow.services.actors import Actor

Today = Annotated[str | None, typer.Option(help="The day to act on, YYYY-MM-DD (default: the patient's today).")]
Reason = Annotated[str, typer.Option(help="Why (kept with the decision).")]
Decision = Annotated[bool, typer.Option("--approve/--decline", help="Approve or decline.")]


def register(app: typer.Typer) -> None:
    taper = _group(app, "taper", "Taper schedules, computed exactly as the clinician asks.")
    change = typer.Typer(help="Dose changes and their approval.", no_args_is_help=True)
    window = typer.Typer(help="CBT-I sleep windows.", no_args_is_help=True)

    @taper.command("create")
    def taper_create(patient_id: int, today: Today = None) -> None:
        """Store a draft taper plan from JSON on stdin: the `taper plan` fields, hold_rules, regimen_item_id, reason."""
        from morrow.services.tapers import create_taper_plan

        payload = _read_json(sys.stdin.read())
        with _runtime().sessions() as session:
            day = _today(session, patient_id, today)
            plan = create_taper_plan(session, _actor("taper create"), patient_id, payload, day)
            _print_steps(plan.steps, plan.unit, f"Draft taper plan {plan.id} for patient {patient_id}")
        Console().print(f"Approve it with `morrow taper approve {plan.id}`.")

    @taper.command("approve")
    def taper_approve(plan_id: int) -> None:
        """Approve a draft taper plan: from then on the patient sees and follows it."""
        from morrow.services.tapers import approve_taper_plan

        with _runtime().sessions() as session:
            plan = approve_taper_plan(session, _actor("taper approve"), plan_id)
        Console().print(f"Taper plan {plan.id} approved: {plan.substance_id}, starting {plan.starts_on}.")

    def revise(name: str, service: str, done: str) -> None:
        @taper.command(name)
        def revise_command(plan_id: int, reason: Reason, today: Today = None) -> None:
            from morrow.db.models import TaperPlan
            from morrow.domain.errors import NotFound
            from morrow.services import tapers

            with _runtime().sessions() as session:
                with session.begin():
                    found = session.get(TaperPlan, plan_id) if 0 < plan_id < 2**31 else None
                    if found is None:
                        raise NotFound(f"no taper plan with id {plan_id}", field="plan_id")
                    patient_id = found.patient_id
                day = _today(session, patient_id, today)
                plan = getattr(tapers, service)(session, _actor(f"taper {name}"), plan_id, {"reason": reason}, day)
                _print_steps(plan.steps, plan.unit, f"Taper plan {plan.id}, version {plan.version}: {done}")

        revise_command.__doc__ = f"{done[0].upper()}{done[1:]}, as a new version of the plan (the old one is kept)."

    revise("pause", "pause_taper", "paused from today: the dose stays where it is")
    revise("resume", "resume_taper", "resumed from today: the paused step is lengthened, later steps move back")
    revise("reverse", "reverse_taper_step", "one step back from today, for one interval, then on again")

    @taper.command("status")
    def taper_status_command(patient_id: int, today: Today = None) -> None:
        """Where each live taper plan stands today: this step's dose, the next, and any hold."""
        from morrow.services.tapers import taper_status

        console = Console()
        with _runtime().sessions() as session:
            day = _today(session, patient_id, today)
            views = taper_status(session, _actor("taper status"), patient_id, day)
        if not views:
            console.print(f"Patient {patient_id} has no approved taper plan.")
        for view in views:
            plan, step, following = view.plan, view.step, view.next_step
            console.print(
                f"[bold]Taper plan {plan.id}[/] (version {plan.version}, {plan.substance_id}): {view.status.status}"
            )
            if step is not None:
                mme = "" if step.mme_per_day is None else f", {step.mme_per_day:g} MME/day"
                console.print(f"  This step: {step.daily_dose:g} {step.unit} a day, {step.start} to {step.end}{mme}")
            if following is not None:
                console.print(f"  Next: {following.daily_dose:g} {following.unit} a day from {following.start}")
            console.print(f"  {view.status.reason}")
            for note in view.notes:
                console.print(f"  Note: {note}")

    @change.command("propose")
    def change_propose(
        item_id: int, dose: Annotated[float, typer.Option()], reason: Reason, today: Today = None
    ) -> None:
        """Propose a new dose for a regimen item; the titration rule says if it needs approval."""
        from morrow.db.models import RegimenItem
        from morrow.services.titration import propose_dose_change

        with _runtime().sessions() as session:
            with session.begin():
                item = session.get(RegimenItem, item_id) if 0 < item_id < 2**31 else None
                patient_id = None if item is None else item.regimen.patient_id
            day = _today(session, patient_id, today)
            request = propose_dose_change(
                session, _actor("change propose"), item_id, {"proposed_dose": dose, "reason": reason}, day
            )
        Console().print(f"Dose change request {request.id}: {request.status}. {request.rule_explanation}")

    @change.command("decide")
    def change_decide(request_id: int, approve: Decision, reason: Reason, today: Today = None) -> None:
        """Approve (a new regimen version from today) or decline a pending dose change."""
        from morrow.db.models import DoseChangeRequest
        from morrow.services.titration import decide_dose_change

        with _runtime().sessions() as session:
            with session.begin():
                found = session.get(DoseChangeRequest, request_id) if 0 < request_id < 2**31 else None
                patient_id = None if found is None else found.patient_id
            day = _today(session, patient_id, today)
            request = decide_dose_change(
                session, _actor("change decide"), request_id, {"approve": approve, "reason": reason}, day
            )
        Console().print(f"Dose change request {request.id} {request.status}.")

    @change.command("queue")
    def change_queue(patient_id: Annotated[int | None, typer.Option(help="Only this patient.")] = None) -> None:
        """Pending dose changes awaiting a clinician's decision."""
        from morrow.services.titration import pending_dose_changes

        with _runtime().sessions() as session:
            pending = pending_dose_changes(session, _actor("change queue"), patient_id)
        table = Table("request", "patient", "item", "from", "to", "reason", title="Pending dose changes")
        for r in pending:
            table.add_row(str(r.id), str(r.patient_id), str(r.regimen_item_id), f"{r.current_dose:g} {r.unit}",
                          f"{r.proposed_dose:g} {r.unit}", r.reason or "")  # fmt: skip
        Console().print(table)

    @window.command("propose")
    def window_propose(
        patient_id: int,
        today: Today = None,
        rise_time: Annotated[str | None, typer.Option(help="Fixed rise time, HH:MM.")] = None,
    ) -> None:
        """Propose a sleep window from the last 7 diary nights and the latest Epworth score."""
        from morrow.services.sleep_windows import propose_sleep_window

        with _runtime().sessions() as session:
            day = _today(session, patient_id, today)
            made, created = propose_sleep_window(
                session, _actor("sleep-window propose"), patient_id, day, rise_time=rise_time
            )
        bedtime = f", in bed from {made.bedtime} to {made.rise_time}" if made.bedtime else ""
        proposed = "proposed" if created else "was already proposed from the same diary"
        Console().print(f"Sleep window {made.id} {proposed} ({made.action}): {made.time_in_bed_min} minutes{bedtime}.")
        Console().print(made.reason)

    @window.command("decide")
    def window_decide(window_id: int, approve: Decision, reason: Reason) -> None:
        """Approve (the patient sees it) or decline a proposed sleep window."""
        from morrow.services.sleep_windows import decide_sleep_window

        with _runtime().sessions() as session:
            made = decide_sleep_window(
                session, _actor("sleep-window decide"), window_id, {"approve": approve, "reason": reason}
            )
        Console().print(f"Sleep window {made.id} {made.status}.")

    @app.command("adherence")
    def adherence_command(
        patient_id: int, days: Annotated[int, typer.Option(min=1, max=92, help="How many days, ending today.")] = 7
    ) -> None:
        """Doses taken, late, missed and extra per regimen item per day."""
        from datetime import UTC, datetime, timedelta

        from morrow.services.adherence import adherence

        now = datetime.now(UTC)
        with _runtime().sessions() as session:
            last = _today(session, patient_id, None)
            rows = adherence(session, _actor("adherence"), patient_id, last - timedelta(days=days - 1), last, now)
        table = Table("day", "item", "substance", "taken", "late", "missed", "due", "extra", title="Adherence")
        for r in rows:
            table.add_row(r.day.isoformat(), str(r.regimen_item_id), r.substance, str(r.taken), str(r.late),
                          str(r.missed), str(r.due), str(r.extra))  # fmt: skip
        Console().print(table)

    app.add_typer(change, name="change")
    app.add_typer(window, name="sleep-window")


def _group(app: typer.Typer, name: str, help_text: str) -> typer.Typer:
    """The existing sub-command group `name` (`morrow taper` holds `plan`), or a new one."""
    for info in app.registered_groups:
        if info.name == name and info.typer_instance is not None:
            return info.typer_instance
    group = typer.Typer(help=help_text, no_args_is_help=True)
    app.add_typer(group, name=name)
    return group


def _runtime() -> Runtime:
    from morrow.runtime import build_runtime

    runtime = build_runtime()
    runtime.require_migrated()
    return runtime


def _actor(command: str) -> Actor:
    from morrow.services.actors import Actor

    return Actor.system(f"cli:{command}")


def _today(session: Session, patient_id: int | None, given: str | None) -> date:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from morrow.domain.errors import ValidationError
    from morrow.services.people import get_patient

    if given is not None:
        try:
            return date.fromisoformat(given)
        except ValueError:
            raise ValidationError("--today must be a date written YYYY-MM-DD", field="today") from None
    if patient_id is None:
        return datetime.now(UTC).date()
    with session.begin():
        zone = ZoneInfo(get_patient(session, patient_id).timezone)
    return datetime.now(zone).date()


def _read_json(text: str) -> dict[str, Any]:
    from morrow.domain.errors import ValidationError

    try:
        payload = json.loads(text)
    except ValueError as exc:
        raise ValidationError(f"standard input is not valid JSON: {exc}") from None
    if not isinstance(payload, dict):
        raise ValidationError("standard input must hold one JSON object")
    return payload


def _print_steps(steps: Any, unit: str, title: str) -> None:
    table = Table("step", "from", "to", f"{unit} a day", "MME a day", title=title)
    for step in steps:
        mme = "" if step.mme_per_day is None else f"{step.mme_per_day:g}"
        table.add_row(str(step.position + 1), str(step.starts_on), str(step.ends_on), f"{step.daily_dose:g}", mme)
    Console().print(table)
