"""The demo clinic's people: fixed staff accounts and the patients' names and time zones."""

from __future__ import annotations

from dataclasses import dataclass

DEMO_DOMAIN = "demo.morrow.test"
DEMO_PASSWORD = "morrow-demo"  # noqa: S105 - printed for the demo on purpose; demo accounts only


@dataclass(frozen=True)
class StaffMember:
    email: str
    name: str
    role: str
    team: str | None


STAFF = (
    StaffMember(f"bob@{DEMO_DOMAIN}", "Dr Bob Okafor", "clinician", "Riverside"),
    StaffMember(f"carol@{DEMO_DOMAIN}", "Dr Carol Jensen", "clinician", "Hillview"),
    StaffMember(f"admin@{DEMO_DOMAIN}", "Ada Admin", "admin", None),
)
TEAMS = ("Riverside", "Hillview")

FIRST_NAMES = (
    "Alice",
    "Marcus",
    "Priya",
    "Dwayne",
    "Rosa",
    "Tom",
    "Keisha",
    "Liam",
    "Mei",
    "Jorge",
    "Hannah",
    "Andre",
    "Fatima",
    "Cody",
    "Grace",
    "Tyrone",
    "Elena",
    "Sam",
    "Nadia",
    "Ray",
    "Bianca",
    "Owen",
    "Leila",
    "Caleb",
    "Sofia",
    "Darnell",
    "Ivy",
    "Mateo",
    "Chloe",
    "Hector",
    "June",
    "Xavier",
    "Amara",
    "Wes",
    "Lucia",
    "Brent",
    "Noor",
    "Eli",
    "Tanya",
    "Felix",
)
LAST_INITIALS = "BCDFGHJKLMNPRSTVW"
TIMEZONES = ("America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Phoenix")


def patient_email(index: int, first_name: str) -> str:
    return "alice@" + DEMO_DOMAIN if index == 0 else f"{first_name.lower()}.{index:02d}@{DEMO_DOMAIN}"
