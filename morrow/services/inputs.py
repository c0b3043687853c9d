"""Service inputs: shared field types with plausible bounds, and one `ValidationError` naming the field.

Every service parses its input here, so the same limits hold whether data comes from the web, the CLI
or the demo: times within a plausible range, ids that fit the database, no NUL or other control characters
(tab and line breaks excepted) and no lone surrogates (text JSON can carry as `"\\ud800"` that is not
Unicode) anywhere.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Annotated, Any, TypeVar

import pydantic
from pydantic import AfterValidator, AwareDatetime, Field

from morrow.domain.errors import ValidationError

M = TypeVar("M", bound=pydantic.BaseModel)
Payload = Mapping[str, Any]  # what callers hand a service: a model, or plain decoded JSON

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
MAX_ID = 2**31 - 1  # INTEGER on PostgreSQL
_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # NUL has its own message; tab and line breaks are text


def _plausible_moment(value: datetime) -> datetime:
    if not EARLIEST <= value < LATEST:
        raise ValueError("must be between the years 2000 and 2100")
    return value


def _plausible_day(value: date) -> date:
    if not EARLIEST.date() <= value < LATEST.date():
        raise ValueError("must be between the years 2000 and 2100")
    return value


Moment = Annotated[AwareDatetime, AfterValidator(_plausible_moment)]
Day = Annotated[date, AfterValidator(_plausible_day)]
RowId = Annotated[int, Field(ge=1, le=MAX_ID)]


def parse(model: type[M], data: Any) -> M:
    if isinstance(data, model):  # validated by the web layer already, but its free-form parts were not checked
        _refuse_bad_text(data.model_dump(), "")
        return data
    _refuse_bad_text(data, "")
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        raise validation_error(exc) from None


def validation_error(exc: pydantic.ValidationError) -> ValidationError:
    first = exc.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or None
    message = str(first["msg"]).removeprefix("Value error, ")
    return ValidationError(f"{field}: {message}" if field else message, field=field)


def valid_id(value: int) -> bool:
    return isinstance(value, int) and 1 <= value <= MAX_ID


def _refuse_bad_text(value: Any, path: str) -> None:
    """NUL characters break PostgreSQL text and hide text from readers; a lone surrogate cannot be encoded
    at all (SQLite and every page showing it fail, PostgreSQL refuses it in JSON); other control characters
    (escape sequences, form feeds, DEL, the C1 controls U+0080 to U+009F) are invisible on a page, can
    rewrite a terminal that prints a note, and are not allowed in XML. Refuse them all, naming where; tab,
    line feed and carriage return are text."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValidationError(f"{path or 'input'}: contains a NUL character", field=path or None)
        if _SURROGATE.search(value):
            raise ValidationError(f"{path or 'input'}: contains a character that is not valid text", field=path or None)
        control = _CONTROL.search(value)
        if control:
            code = f"U+{ord(control.group()):04X}"
            raise ValidationError(f"{path or 'input'}: contains a control character ({code})", field=path or None)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            _refuse_bad_text(key, path)
            _refuse_bad_text(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _refuse_bad_text(item, f"{path}.{index}" if path else str(index))
