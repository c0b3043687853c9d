"""`morrow patient add` and `morrow team add`: the people a clinic needs before anyone signs in."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console


def register(app: typer.Typer) -> None:
    patient = typer.Typer(help="Patients.", no_args_is_help=True)
    team = typer.Typer(help="Care teams.", no_args_is_help=True)

    @patient.command("add")
    def add_patient(
        name: Annotated[str, typer.Option(help="Name shown to the care team.")],
        timezone: Annotated[str, typer.Option(help="IANA time zone, e.g. America/New_York.")],
        clinic_ref: Annotated[str | None, typer.Option(help="The clinic's own reference (unique).")] = None,
        birth_year: Annotated[int | None, typer.Option(help="Year of birth.")] = None,
        usual_bedtime: Annotated[str | None, typer.Option(help="Usual bedtime, HH:MM.")] = None,
        opioid_abstinent_since: Annotated[
            str | None, typer.Option(help="Last opioid use ended on this date (YYYY-MM-DD, patient's zone).")
        ] = None,
    ) -> None:
        """Add a patient. Link a sign-in with `morrow user add --role patient --patient-id ID`."""
        from morrow.runtime import build_runtime
        from morrow.services.actors import Actor
        from morrow.services.people import create_patient

        runtime = build_runtime()
        runtime.require_migrated()
        data: dict[str, object] = {
            "display_name": name,
            "timezone": timezone,
            "clinic_ref": clinic_ref,
            "birth_year": birth_year,
            "usual_bedtime": usual_bedtime,
            "opioid_abstinent_since": opioid_abstinent_since,
        }
        with runtime.sessions() as session:
            made = create_patient(session, Actor.system("cli:patient add"), data)
        Console().print(f"Added patient {made.display_name} (patient {made.id}, {made.timezone}).")

    @team.command("add")
    def add_team(
        name: Annotated[str, typer.Argument(help="The team's name.")],
        clinician: Annotated[list[str], typer.Option(help="A clinician's e-mail (repeat for more).")],
        patient_id: Annotated[list[int] | None, typer.Option(help="A patient's id (repeat for more).")] = None,
    ) -> None:
        """Add a care team: its clinicians see its patients, and no others."""
        from sqlalchemy import func, select

        from morrow.db.models import User
        from morrow.domain.errors import NotFound
        from morrow.runtime import build_runtime
        from morrow.services.actors import Actor
        from morrow.services.people import create_care_team

        runtime = build_runtime()
        runtime.require_migrated()
        with runtime.sessions() as session:
            with session.begin():
                ids = []
                for email in clinician:
                    found = session.scalar(select(User.id).where(func.lower(User.email) == email.strip().lower()))
                    if found is None:
                        raise NotFound(f"no account for {email}", field="clinician")
                    ids.append(found)
            made = create_care_team(
                session, Actor.system("cli:team add"), name, clinician_ids=ids, patient_ids=patient_id or []
            )
        Console().print(
            f"Added care team {made.name} (team {made.id}): {len(ids)} clinicians, {len(patient_id or [])} patients."
        )

    app.add_typer(patient, name="patient")
    app.add_typer(team, name="team")
