"""Turn Pydantic's validation errors on service inputs into one `ValidationError` naming the field."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

import pydantic

from morrow.domain.errors import ValidationError

M = TypeVar("M", bound=pydantic.BaseModel)
Payload = Mapping[str, Any]  # what callers hand a service: a model, or plain decoded JSON


def parse(model: type[M], data: Any) -> M:
    if isinstance(data, model):
        return data
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        raise validation_error(exc) from None


def validation_error(exc: pydantic.ValidationError) -> ValidationError:
    first = exc.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or None
    message = str(first["msg"]).removeprefix("Value error, ")
    return ValidationError(f"{field}: {message}" if field else message, field=field)
