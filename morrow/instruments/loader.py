"""Read the shipped definition files and validate each with Pydantic; a bad file stops start-up."""

from __future__ import annotations

import json
from importlib import resources
from importlib.resources.abc import Traversable

import pydantic

from morrow.domain.errors import ConfigurationError
from morrow.instruments.model import Definition, SymptomChecklist

DATA_PACKAGE = "morrow.data"
FOLDER = "instruments"
CHECKLIST_FILE = "side_effects.json"

_definition_adapter: pydantic.TypeAdapter[Definition] = pydantic.TypeAdapter(Definition)


def parse_definition(raw: object, *, name: str = "definition") -> Definition:
    """Validate one decoded definition document."""
    try:
        return _definition_adapter.validate_python(raw)
    except pydantic.ValidationError as exc:
        raise ConfigurationError(f"{name}: {_first_error(exc)}") from None


def load_definitions() -> list[Definition]:
    """Every instrument definition shipped in morrow/data/instruments, in file-name order."""
    definitions: list[Definition] = []
    for entry in sorted(_folder().iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".json") or entry.name == CHECKLIST_FILE:
            continue
        definition = parse_definition(_read_json(entry), name=entry.name)
        if f"{definition.id}.json" != entry.name:
            raise ConfigurationError(f"{entry.name}: holds instrument {definition.id!r}; name the file after it")
        definitions.append(definition)
    return definitions


def load_checklist() -> SymptomChecklist:
    entry = _folder().joinpath(CHECKLIST_FILE)
    try:
        return SymptomChecklist.model_validate(_read_json(entry))
    except pydantic.ValidationError as exc:
        raise ConfigurationError(f"{CHECKLIST_FILE}: {_first_error(exc)}") from None


def _folder() -> Traversable:
    return resources.files(DATA_PACKAGE).joinpath(FOLDER)


def _read_json(entry: Traversable) -> object:
    try:
        return json.loads(entry.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ConfigurationError(f"{entry.name} is not valid JSON: {exc.msg} at line {exc.lineno}") from None


def _first_error(exc: pydantic.ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    return f"{where}: {first['msg']}" if where else first["msg"]
