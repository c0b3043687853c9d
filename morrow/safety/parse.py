"""`parse_situation`: refuse a malformed situation naming the field, or return a `Situation`."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from morrow.catalog import Catalog, CatalogError, Substance, convert_amount, load_catalog
from morrow.instruments import InstrumentError, score
from morrow.safety.errors import SituationError
from morrow.safety.knowledge import Variant, matching, rule_book
from morrow.safety.situation import Checkin, Dose, Patient, RegimenItem, Situation, Symptom

T = TypeVar("T")
_TOP = {"now", "patient", "regimen", "doses", "checkins", "symptoms"}
_PATIENT = {"timezone", "pregnant", "opioid_abstinent_since", "taper_completed_on"}
_DOSE = {"substance", "form", "release", "amount", "unit", "taken_at"}
_REGIMEN = {"substance", "form", "release", "max_dose", "unit", "max_doses_per_day"}


def parse_situation(raw: Mapping[str, Any], catalog: Catalog | None = None) -> Situation:
    """Validate one situation (the `morrow check` input) against the catalog and the instruments."""
    catalog = catalog or load_catalog()
    body = _object(raw, "situation")
    _known_keys(body, _TOP, "")
    if "now" not in body:
        raise SituationError("missing_field", "the situation needs 'now', an ISO 8601 time with an offset", "now")
    now = _time(body["now"], "now")
    patient = _patient(_object(body.get("patient"), "patient"))
    return situation_of(
        now,
        patient,
        doses=_items(body, "doses", lambda d, f: _dose(d, f, catalog, patient.timezone)),
        regimen=_items(body, "regimen", lambda d, f: _regimen_item(d, f, catalog)),
        checkins=_items(body, "checkins", _checkin),
        symptoms=_items(body, "symptoms", lambda d, f: _symptom(d, f, catalog)),
    )


def situation_of(
    now: datetime,
    patient: Patient,
    *,
    doses: list[Dose],
    regimen: list[RegimenItem],
    checkins: list[Checkin],
    symptoms: list[Symptom],
) -> Situation:
    """The situation of already-validated parts (from `parse_situation`, or from a stored record through
    `make_dose`, `make_checkin` and the other `make_*` constructors, which validate exactly as it does)."""
    return Situation.of(
        _aware(now, "now"),
        patient,
        doses,
        regimen=tuple(regimen),
        checkins=tuple(sorted(checkins, key=lambda c: c.t)),
        symptoms=tuple(sorted(symptoms, key=lambda s: s.t)),
    )


def _items(body: Mapping[str, Any], key: str, parse: Callable[[Mapping[str, Any], str], T]) -> list[T]:
    value = body.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise SituationError("invalid_type", f"'{key}' must be a list", key)
    return [parse(_object(item, f"{key}[{i}]"), f"{key}[{i}]") for i, item in enumerate(value)]


def _object(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise SituationError("invalid_type", f"'{where}' must be a JSON object", where)
    return value


def _known_keys(body: Mapping[str, Any], allowed: set[str], where: str) -> None:
    for key in body:
        if key not in allowed:
            name = f"{where}.{key}" if where else str(key)
            raise SituationError(
                "unknown_field", f"unknown field {name!r} (allowed: {', '.join(sorted(allowed))})", name
            )


def _time(value: Any, where: str) -> datetime:
    if not isinstance(value, str):
        raise SituationError("invalid_time", f"'{where}' must be an ISO 8601 time string with an offset", where)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise SituationError("invalid_time", f"'{where}': {value!r} is not an ISO 8601 time", where) from None
    return _aware(parsed, where, shown=value)


def _moment(value: Any, where: str) -> datetime:
    """A stored record's aware datetime, or a situation's ISO 8601 text (anything else is refused)."""
    return _aware(value, where) if isinstance(value, datetime) else _time(value, where)


def _aware(moment: datetime, where: str, shown: Any = None) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        text = moment.isoformat() if shown is None else shown
        raise SituationError("naive_time", f"'{where}': {text!r} has no UTC offset", where)
    return moment


def _date(value: Any, where: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else _bad_date(where)
    except ValueError:
        return _bad_date(where)


def _bad_date(where: str) -> date:
    raise SituationError("invalid_date", f"'{where}' must be a date YYYY-MM-DD or null", where)


def _patient(body: Mapping[str, Any]) -> Patient:
    _known_keys(body, _PATIENT, "patient")
    return make_patient(
        body.get("timezone"),
        pregnant=body.get("pregnant", False),
        opioid_abstinent_since=_date(body.get("opioid_abstinent_since"), "patient.opioid_abstinent_since"),
        taper_completed_on=_date(body.get("taper_completed_on"), "patient.taper_completed_on"),
    )


def make_patient(
    zone_name: Any,
    *,
    pregnant: Any = False,
    opioid_abstinent_since: date | None = None,
    taper_completed_on: date | None = None,
) -> Patient:
    try:
        zone = ZoneInfo(zone_name) if isinstance(zone_name, str) and zone_name else None
    except (ZoneInfoNotFoundError, ValueError):
        zone = None
    if zone is None:
        raise SituationError(
            "invalid_timezone", f"'patient.timezone': {zone_name!r} is not an IANA time zone", "patient.timezone"
        )
    if not isinstance(pregnant, bool):
        raise SituationError("invalid_type", "'patient.pregnant' must be true or false", "patient.pregnant")
    return Patient(
        timezone=zone,
        pregnant=pregnant,
        opioid_abstinent_since=opioid_abstinent_since,
        taper_completed_on=taper_completed_on,
    )


def _substance(value: Any, where: str, catalog: Catalog) -> Substance:
    if not isinstance(value, str) or not catalog.has_substance(value):
        raise SituationError("unknown_substance", f"'{where}': unknown substance id {value!r}", where)
    return catalog.substance(value)


def _form(form: Any, release: Any, where: str, substance: Substance) -> str | None:
    if form is not None and release is not None and form != release:
        raise SituationError(
            "unknown_form", f"'{where}.release' {release!r} contradicts form {form!r}", f"{where}.form"
        )
    chosen = form if form is not None else release
    key = f"{where}.form" if form is not None else f"{where}.release"
    if chosen is None:
        return substance.default_form
    if not isinstance(chosen, str) or substance.form(chosen) is None:
        known = ", ".join(f.id for f in substance.forms) or "none"
        raise SituationError("unknown_form", f"'{key}': {substance.id} has no form {chosen!r} (forms: {known})", key)
    return chosen


def _number(value: Any, where: str, *, positive: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise SituationError("invalid_amount", f"'{where}' must be a number", where)
    if value < 0 or (positive and value == 0):
        raise SituationError("invalid_amount", f"'{where}' must be greater than 0, not {value}", where)
    return float(value)


def _unit_of(substance: Substance, form: str | None) -> str:
    found = substance.form(form) if form else None
    return found.default_unit if found else substance.default_unit


def _converted(amount: float, unit: Any, target: str, where: str) -> float:
    try:
        return convert_amount(amount, unit if isinstance(unit, str) else repr(unit), target, field=where)
    except CatalogError as exc:
        raise SituationError("unit_not_convertible", f"'{where}': {exc.message}", where) from None


def _variant(substance: Substance, form: str | None, amount: float, unit: str) -> Variant | None:
    for variant in matching().variants:
        if variant.substance != substance.id or (variant.form is not None and variant.form != form):
            continue
        if variant.min_amount is not None and convert_amount(amount, unit, variant.unit or unit) <= variant.min_amount:
            continue
        return variant
    return None


def active_window_hours(substance: Substance, amount: float) -> float:
    """Hours a dose stays active: four upper half-lives, or (alcohol) hours per unit plus extra."""
    if substance.half_life is not None:
        return rule_book().thresholds.half_lives_active * substance.half_life.high_h
    return (substance.active_hours_per_unit or 0.0) * amount + (substance.active_hours_extra or 0.0)


def _dose(body: Mapping[str, Any], where: str, catalog: Catalog, zone: ZoneInfo) -> Dose:
    _known_keys(body, _DOSE, where)
    return make_dose(
        body.get("substance"),
        body.get("form"),
        body.get("amount"),
        body.get("unit"),
        body.get("taken_at"),
        where=where,
        catalog=catalog,
        zone=zone,
        release=body.get("release"),
    )


def make_dose(
    substance_id: Any,
    form: Any,
    amount: Any,
    unit: Any,
    taken_at: Any,
    *,
    where: str,
    catalog: Catalog,
    zone: ZoneInfo,
    release: Any = None,
) -> Dose:
    """One dose, validated as `parse_situation` validates `doses[i]` (`where` names it in errors). Times
    are aware datetimes, or (from a situation's JSON) ISO 8601 text, checked in the same order."""
    substance = _substance(substance_id, f"{where}.substance", catalog)
    chosen = _form(form, release, where, substance)
    target = _unit_of(substance, chosen)
    converted = _converted(_number(amount, f"{where}.amount", positive=True), unit, target, f"{where}.unit")
    taken_at = _moment(taken_at, f"{where}.taken_at")
    variant = _variant(substance, chosen, converted, target)
    t = taken_at.timestamp()
    return Dose(
        substance=substance.id,
        agent=f"{substance.id}@{variant.id}" if variant else substance.id,
        variant=variant.id if variant else None,
        form=chosen,
        amount=converted,
        unit=target,
        taken_at=taken_at,
        t=t,
        end=t + active_window_hours(substance, converted) * 3600.0,
        local_date=taken_at.astimezone(zone).date(),
    )


def make_doses(rows: Iterable[Sequence[Any]], *, catalog: Catalog, zone: ZoneInfo) -> list[Dose]:
    """`make_dose` of each (substance_id, form, amount, unit, taken_at) row, named `doses[i]`, with the same
    checks in the same order and the same result. A stored record repeats a few doses many times, so what
    does not depend on the time (substance, form, unit conversion, variant, active window) is worked out
    by `make_dose` for the first row of each distinct substance, form, amount and unit, and reused."""
    made: list[Dose] = []
    known: dict[tuple[Any, ...], tuple[Dose, float]] = {}
    for n, (substance_id, form, amount, unit, taken_at) in enumerate(rows):
        key = (substance_id, form, type(amount), amount, unit)  # the type too: 1, 1.0 and True are equal keys
        try:
            found = known.get(key)
        except TypeError:  # an unhashable value (not from a database row): validated the long way
            found = None
        if found is None:
            dose = make_dose(
                substance_id, form, amount, unit, taken_at, where=f"doses[{n}]", catalog=catalog, zone=zone
            )
            with contextlib.suppress(TypeError):
                known[key] = (dose, _window_seconds(dose, catalog))
            made.append(dose)
            continue
        first, window = found
        moment = _moment(taken_at, f"doses[{n}].taken_at")
        t = moment.timestamp()
        made.append(
            Dose(
                substance=first.substance,
                agent=first.agent,
                variant=first.variant,
                form=first.form,
                amount=first.amount,
                unit=first.unit,
                taken_at=moment,
                t=t,
                end=t + window,
                local_date=moment.astimezone(zone).date(),
            )
        )
    return made


def _window_seconds(dose: Dose, catalog: Catalog) -> float:
    """The active window of `dose`, in seconds, computed as `make_dose` computes it (bit for bit)."""
    return active_window_hours(catalog.substance(dose.substance), dose.amount) * 3600.0


def _regimen_item(body: Mapping[str, Any], where: str, catalog: Catalog) -> RegimenItem:
    _known_keys(body, _REGIMEN, where)
    return make_regimen_item(
        body.get("substance"),
        body.get("form"),
        body.get("max_dose"),
        body.get("unit"),
        body.get("max_doses_per_day"),
        where=where,
        catalog=catalog,
        form_given="form" in body or "release" in body,
        release=body.get("release"),
    )


def make_regimen_item(
    substance_id: Any,
    form: Any,
    max_dose: Any,
    unit: Any,
    per_day: Any,
    *,
    where: str,
    catalog: Catalog,
    form_given: bool = True,
    release: Any = None,
) -> RegimenItem:
    """One regimen item, validated as `parse_situation` validates `regimen[i]`. A form that is given but
    empty means the substance's default form; `form_given=False` means the item names none."""
    substance = _substance(substance_id, f"{where}.substance", catalog)
    chosen = _form(form, release, where, substance) if form_given else None
    if max_dose is not None:
        max_dose = _number(max_dose, f"{where}.max_dose", positive=True)
        _converted(max_dose, unit, _unit_of(substance, chosen), f"{where}.unit")
    if per_day is not None and (isinstance(per_day, bool) or not isinstance(per_day, int) or per_day < 1):
        raise SituationError(
            "invalid_amount", f"'{where}.max_doses_per_day' must be a whole number >= 1", f"{where}.max_doses_per_day"
        )
    return RegimenItem(substance.id, chosen, max_dose, unit if isinstance(unit, str) else None, per_day)


def _checkin(body: Mapping[str, Any], where: str) -> Checkin:
    _known_keys(body, {"instrument", "answers", "at"}, where)
    return make_checkin(body.get("instrument"), body.get("answers"), body.get("at"), where=where)


def make_checkin(instrument: Any, answers: Any, at: Any, *, where: str) -> Checkin:
    """One check-in, scored now by the instrument engine, as `parse_situation` does for `checkins[i]`."""
    if not isinstance(instrument, str):
        raise SituationError(
            "unknown_instrument", f"'{where}.instrument' must name an instrument", f"{where}.instrument"
        )
    answers = _object(answers, f"{where}.answers")
    try:
        result = score(instrument, answers)
    except InstrumentError as exc:
        field = f"{where}.instrument" if exc.code == "unknown_instrument" else f"{where}.answers"
        field += f".{exc.item}" if exc.item and exc.code != "unknown_instrument" else ""
        raise SituationError(exc.code, f"'{field}': {exc.message}", field) from None
    at = _moment(at, f"{where}.at")
    return Checkin(instrument=str(result.get("instrument", instrument.lower())), result=result, at=at, t=at.timestamp())


def _symptom(body: Mapping[str, Any], where: str, catalog: Catalog) -> Symptom:
    _known_keys(body, {"code", "at"}, where)
    return make_symptom(body.get("code"), body.get("at"), where=where, catalog=catalog)


def make_symptom(code: Any, at: Any, *, where: str, catalog: Catalog) -> Symptom:
    try:
        catalog.symptom(code if isinstance(code, str) else repr(code))
    except CatalogError:
        raise SituationError(
            "unknown_symptom", f"'{where}.code': unknown symptom code {code!r}", f"{where}.code"
        ) from None
    at = _moment(at, f"{where}.at")
    return Symptom(code=str(code), at=at, t=at.timestamp())
