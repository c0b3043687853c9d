"""The regimens engine: taper plans, symptom-guided holds, titration rules, adherence and sleep windows.

Pure: plain values in, plain values out, time passed in as arguments. Imports nothing from the
database, web, services or settings; the catalog supplies substances, forms and MME factors.
The engine computes what a clinician asked for and proposes; it never recommends a dose.
"""

from __future__ import annotations

from morrow.regimens.adherence import AdherenceReport, FixedSchedule, ScheduledDose, fixed_adherence
from morrow.regimens.as_needed import AsNeededDay, as_needed_adherence
from morrow.regimens.errors import RegimenError
from morrow.regimens.holds import DailyScores, HoldRule, StepStatus, step_status
from morrow.regimens.mme import MmeConversion, mme_conversion, mme_per_day
from morrow.regimens.revisions import pause, resume, reverse_one_step
from morrow.regimens.sleep_window import SleepNight, SleepWindowProposal, propose_sleep_window
from morrow.regimens.taper import MAX_STEPS, TaperSchedule, TaperStep, plan_taper, schedule_to_json
from morrow.regimens.taper_request import METHODS, TaperRequest, parse_taper_request
from morrow.regimens.titration import Assessment, DoseChange, TitrationRule, assess_change

__all__ = [
    "MAX_STEPS",
    "METHODS",
    "AdherenceReport",
    "AsNeededDay",
    "Assessment",
    "DailyScores",
    "DoseChange",
    "FixedSchedule",
    "HoldRule",
    "MmeConversion",
    "RegimenError",
    "ScheduledDose",
    "SleepNight",
    "SleepWindowProposal",
    "StepStatus",
    "TaperRequest",
    "TaperSchedule",
    "TaperStep",
    "TitrationRule",
    "as_needed_adherence",
    "assess_change",
    "fixed_adherence",
    "mme_conversion",
    "mme_per_day",
    "parse_taper_request",
    "pause",
    "plan_taper",
    "propose_sleep_window",
    "resume",
    "reverse_one_step",
    "schedule_to_json",
    "step_status",
]
