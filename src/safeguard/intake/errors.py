"""Errors that say where and why a record was refused."""

from dataclasses import dataclass

from pydantic import ValidationError


@dataclass(frozen=True, slots=True)
class RecordError:
    """One reason a record was refused: the file, its line, the field, and why."""

    source: str
    line: int | None
    field: str
    reason: str

    def __str__(self) -> str:
        where = self.source or "input"
        if self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: {self.field or 'record'}: {self.reason}"


class RecordingRejected(Exception):
    """Nothing was stored because at least one record was refused."""

    def __init__(self, errors: list[RecordError]):
        self.errors = errors
        super().__init__(
            f"{len(errors)} error(s); nothing was stored:\n" + "\n".join(map(str, errors[:50]))
        )


def from_validation_error(
    exc: ValidationError, source: str, line: int | None, record_type: object = None
) -> list[RecordError]:
    """Turn pydantic's errors into RecordErrors naming each field by its dotted path.

    Args:
        exc: the validation error.
        source, line: where the record came from.
        record_type: the record's `type` tag when it was validated as a tagged union:
            pydantic puts the tag first in every path, and an error about the whole record
            (latitude without longitude) has the tag alone, which is reported as `record`.
    """
    errors = []
    for err in exc.errors(include_url=False):
        path = [str(p) for p in err["loc"]]
        if record_type is not None and path[:1] == [str(record_type)]:
            path = path[1:]
        reason = err["msg"].removeprefix("Value error, ")
        errors.append(RecordError(source, line, ".".join(path) or "record", reason))
    return errors
