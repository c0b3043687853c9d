"""What a taper's hold rule can watch: an instrument's total or score (`sows.total`, `craving-vas.score`), the
range of values it can take, read from the instrument's definition, and words for it."""

from __future__ import annotations

from functools import cache

from morrow.instruments import get_instrument, instrument_ids
from morrow.instruments.model import FormDefinition, ScaleDefinition, ValueDefinition

# Words for the measures clinicians use most; any other is named by its instrument id, e.g. "PHQ9 total".
LABELS = {"sows.total": "SOWS total", "cows.total": "COWS total", "craving-vas.score": "Craving score"}


@cache
def measure_range(measure: str) -> tuple[float, float]:
    """The lowest and highest value the measure can take; a ValueError saying why when it names none."""
    instrument_id, _, output = measure.partition(".")
    if instrument_id not in instrument_ids():
        raise ValueError(f"{instrument_id!r} is not an instrument Morrow scores")
    found = _range(instrument_id, output)
    if found is None:
        raise ValueError(f"{instrument_id} has no {output!r} to watch")
    return found


def measure_label(measure: str) -> str:
    instrument_id, _, output = measure.partition(".")
    return LABELS.get(measure, f"{instrument_id.upper()} {output}")


def _range(instrument_id: str, output: str) -> tuple[float, float] | None:
    definition = get_instrument(instrument_id)
    if isinstance(definition, ScaleDefinition):
        low, high = definition.scoring.range
        return (low, high) if definition.scoring.output == output else None
    if isinstance(definition, ValueDefinition):
        if definition.output != output:
            return None
        if definition.points:
            points = [p.points for p in definition.points]
            return float(min(points)), float(max(points))
        return definition.min, definition.max
    if isinstance(definition, FormDefinition) and output in definition.outputs and definition.bands:
        return min(b.min for b in definition.bands), max(b.max for b in definition.bands)
    return None
