"""InstrumentError: one typed refusal with a code, the item at fault and plain words."""

from __future__ import annotations

import pytest

from morrow.domain.errors import DomainError, ValidationError
from morrow.instruments import InstrumentError, score


def test_it_is_a_domain_validation_error() -> None:
    assert issubclass(InstrumentError, ValidationError)
    assert issubclass(InstrumentError, DomainError)


def test_it_carries_code_item_and_message_and_renders_the_contract_body() -> None:
    with pytest.raises(InstrumentError) as caught:
        score("phq9", {"items": [0, 0, 0, 0, 4, 0, 0, 0, 0]})
    error = caught.value
    assert (error.code, error.item, error.field) == ("illegal_value", "appetite", "appetite")
    assert error.to_contract_json() == {
        "error": {
            "code": "illegal_value",
            "item": "appetite",
            "message": "item 'appetite' (number 5): 4 is not a legal value (allowed: 0, 1, 2, 3)",
        }
    }


def test_it_has_a_null_item_when_no_single_item_is_at_fault() -> None:
    with pytest.raises(InstrumentError) as caught:
        score("gad7", {"items": [0, 0]})
    assert caught.value.to_contract_json()["error"]["item"] is None


@pytest.mark.parametrize("payload", [None, [], "items", 3])
def test_it_refuses_a_payload_that_is_not_an_object(payload: object) -> None:
    with pytest.raises(InstrumentError) as caught:
        score("phq9", payload)  # type: ignore[arg-type]
    assert caught.value.code == "not_an_object"
