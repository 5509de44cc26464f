"""The hash chain, as plain functions: what an entry's hash is computed from, and how.

hash = SHA-256 of the previous entry's hash followed by the canonical JSON of the entry's
fields: one JSON object with sorted keys, no spaces, ASCII only, `at` in UTC ISO 8601 to the
microsecond. The first entry follows GENESIS (64 zeros). log.py computes it when an entry
is written and verify.py again when the chain is checked, so both go through content().

Only values that read back from the database exactly as they were written may be hashed:
text, whole numbers, booleans, None, lists and objects with text keys. clean_detail()
enforces that for `detail` (a float is refused: PostgreSQL's jsonb rewrites some of them,
1e+16 reads back as 10000000000000000, which would break the chain of an intact log).
"""

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64

# The hashed fields, in the order verify.py reads them from the database.
FIELDS = (
    "seq",
    "at",
    "user_id",
    "username",
    "agency_code",
    "action",
    "what",
    "object_id",
    "person_id",
    "purpose",
    "detail",
)


def content(
    *,
    seq: int,
    at: datetime,
    user_id: int | None,
    username: str,
    agency_code: str,
    action: str,
    what: str,
    object_id: str,
    person_id: int | None,
    purpose: str,
    detail: dict,
) -> str:
    """Return the canonical JSON of one entry's fields."""
    if at.tzinfo is None:
        raise ValueError("an audit entry's time must be timezone-aware")
    fields = {
        "seq": seq,
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "user": user_id,
        "username": username,
        "agency_code": agency_code,
        "action": str(action),
        "what": what,
        "object_id": object_id,
        "person_id": person_id,
        "purpose": purpose,
        "detail": detail,
    }
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def digest(prev_hash: str, canonical: str) -> str:
    """Return the hash of an entry: SHA-256 over the previous hash and the entry's content."""
    return hashlib.sha256((prev_hash + canonical).encode("ascii")).hexdigest()


def clean_detail(detail: dict | None) -> dict:
    """Return `detail` as it will read back from the database; refuse what would not.

    Tuples become lists and non-text keys text (as JSON makes them); a float, NaN or any
    object JSON cannot hold raises ValueError or TypeError.
    """
    if detail is None:
        return {}
    if not isinstance(detail, dict):
        raise TypeError(f"audit detail must be a dict, not {type(detail).__name__}")
    cleaned = json.loads(json.dumps(detail, allow_nan=False))
    _refuse_floats(cleaned, "detail")
    return cleaned


def _refuse_floats(value: Any, path: str) -> None:
    if isinstance(value, float):
        raise TypeError(f"audit {path} is a float; write it as text (e.g. f'{value}')")
    if isinstance(value, dict):
        for key, item in value.items():
            _refuse_floats(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _refuse_floats(item, f"{path}[{i}]")
