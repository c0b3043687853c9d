"""All tables. Importing this package registers every model on `Base.metadata`."""

from morrow.db.models.alerts import Alert, Finding
from morrow.db.models.auth import LoginAttempt, UserSession
from morrow.db.models.checkins import QuestionnaireResponse, SleepDiaryEntry, SymptomReport
from morrow.db.models.doses import DoseLog
from morrow.db.models.people import CareTeam, Patient, User, care_team_members, care_team_patients
from morrow.db.models.products import Product
from morrow.db.models.records import AuditEvent, ClinicalNote, OutboxMessage, RecordRevision
from morrow.db.models.regimens import DoseChangeRequest, Regimen, RegimenItem, TaperPlan, TaperStep
from morrow.db.models.sleep_windows import SleepWindow

__all__ = [
    "Alert",
    "AuditEvent",
    "CareTeam",
    "ClinicalNote",
    "DoseChangeRequest",
    "DoseLog",
    "Finding",
    "LoginAttempt",
    "OutboxMessage",
    "Patient",
    "Product",
    "QuestionnaireResponse",
    "RecordRevision",
    "Regimen",
    "RegimenItem",
    "SleepDiaryEntry",
    "SleepWindow",
    "SymptomReport",
    "TaperPlan",
    "TaperStep",
    "User",
    "UserSession",
    "care_team_members",
    "care_team_patients",
]
