"""Reading whole numbers from form fields and paths: ASCII digits only, at most ten of them.

`str.isdigit()` accepts characters such as "²" that `int()` then refuses, and a sign check by
`lstrip("-")` lets "--1" through: both became 500s. These never raise.
"""

from __future__ import annotations

import re

_WHOLE = re.compile(r"[0-9]{1,10}")
_SIGNED = re.compile(r"-?[0-9]{1,10}")


def is_whole(text: str) -> bool:
    return _WHOLE.fullmatch(text.strip()) is not None


def is_signed_whole(text: str) -> bool:
    return _SIGNED.fullmatch(text.strip()) is not None
