"""Password hashing with argon2id at RFC 9106's low-memory profile (t=3, m=64 MiB, p=4)."""

from __future__ import annotations

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

PROFILE = profiles.RFC_9106_LOW_MEMORY
_hasher = PasswordHasher.from_parameters(PROFILE)
MIN_LENGTH = 10


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
