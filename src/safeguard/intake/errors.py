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


def from_validation_error(exc: ValidationError, source: str, line: int | None) -> list[RecordError]:
    """Turn pydantic's errors into RecordErrors naming each field by its dotted path."""
    errors = []
    for err in exc.errors(include_url=False):
        # Drop the discriminator tag pydantic puts first in the path of a tagged union.
        path = [str(p) for p in err["loc"]]
        if (
            path
            and path[0] in {"agency", "person", "phone", "item", "location", "event", "link"}
            and (len(path) > 1)
        ):
            path = path[1:]
        errors.append(RecordError(source, line, ".".join(path), err["msg"]))
    return errors
