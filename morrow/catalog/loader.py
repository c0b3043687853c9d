"""Read and validate the catalog data file; turn Pydantic's errors into one line naming the entry."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import pydantic

from morrow.catalog.model import Catalog, CatalogError

__all__ = ["CatalogError", "load_catalog", "parse_catalog"]

DEFAULT_FILE = "substances.json"


def parse_catalog(raw: Any) -> Catalog:
    """Validate an already-decoded catalog document."""
    try:
        return Catalog.model_validate(raw)
    except pydantic.ValidationError as exc:
        raise CatalogError(_describe(exc, raw), field=_location(exc)) from None


def load_catalog(path: Path | None = None) -> Catalog:
    """The catalog at `path`, or the one shipped in `morrow/data` (read once, then cached)."""
    if path is None:
        return _shipped_catalog()
    return _read(path.read_text(encoding="utf-8"), str(path))


@lru_cache(maxsize=1)
def _shipped_catalog() -> Catalog:
    text = resources.files("morrow.data").joinpath(DEFAULT_FILE).read_text(encoding="utf-8")
    return _read(text, DEFAULT_FILE)


def _read(text: str, name: str) -> Catalog:
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CatalogError(f"{name} is not valid JSON: {exc.msg} at line {exc.lineno}") from None
    try:
        return parse_catalog(raw)
    except CatalogError as exc:
        raise CatalogError(f"{name}: {exc.message}", field=exc.field) from None


def _location(exc: pydantic.ValidationError) -> str:
    first = exc.errors()[0]
    return ".".join(str(part) for part in first["loc"]) or "catalog"


def _describe(exc: pydantic.ValidationError, raw: Any) -> str:
    """`substances[3] (id 'oxycodone').half_life.low_h: Input should be greater than 0`."""
    first = exc.errors()[0]
    parts: list[str] = []
    node: Any = raw
    for part in first["loc"]:
        if isinstance(part, int):
            label = f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            entry_id = node.get("id") or node.get("code") if isinstance(node, dict) else None
            if entry_id and len(parts) == 1:
                label += f" (id {entry_id!r})"
            parts.append(label)
        else:
            parts.append(("." if parts else "") + str(part))
            node = node.get(part) if isinstance(node, dict) else None
    where = "".join(parts) or "catalog"
    more = exc.error_count() - 1
    suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    return f"{where}: {first['msg']}{suffix}"
