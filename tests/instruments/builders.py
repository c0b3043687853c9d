"""Build answer sets with a chosen total from an instrument's legal values (published, not read from data)."""

from __future__ import annotations

from collections.abc import Sequence


def compose(legal: Sequence[Sequence[int]], total: int) -> list[int]:
    """One answer per item, each legal for its item, summing to `total` (ValueError if impossible)."""
    reachable: list[set[int]] = [set() for _ in legal] + [{0}]
    for index in reversed(range(len(legal))):
        reachable[index] = {v + rest for v in legal[index] for rest in reachable[index + 1]}
    if total not in reachable[0]:
        raise ValueError(f"no answers sum to {total}")
    answers: list[int] = []
    remaining = total
    for index, values in enumerate(legal):
        value = next(v for v in sorted(values, reverse=True) if remaining - v in reachable[index + 1])
        answers.append(value)
        remaining -= value
    return answers


def uniform(n: int, values: Sequence[int], total: int) -> list[int]:
    """`n` items sharing one legal range, summing to `total`."""
    return compose([values] * n, total)
