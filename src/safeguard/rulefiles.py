"""Versioned rule files: YAML a force can read and change, validated with a named error per entry.

Screening catalogues, duty rules and the other rules a force may review are data files,
not constants in code (DESIGN.md). Each is read here the same way: parsed as YAML,
validated by its pydantic model, every problem reported as "entry: field: reason" (the
entry named by its list and id), and given a content hash (SHA-256 of the validated
content as canonical JSON, so comments and layout do not change it) that every result
made under it records.
"""

import hashlib
import json
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Annotated, TypeVar

import yaml
from pydantic import AfterValidator, BaseModel, StringConstraints, ValidationError

try:  # libyaml's parser when PyYAML has it
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader

M = TypeVar("M", bound=BaseModel)

# Field types every rule file uses: free text that is not blank, and an entry's id.
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=64)]


def codes(vocabulary: type, what: str) -> AfterValidator:
    """Accept a list (possibly empty) of codes of a vocabulary (a Django TextChoices)."""
    allowed = set(vocabulary.values)

    def check(values: list[str]) -> list[str]:
        unknown = [x for x in values if x not in allowed]
        if unknown:
            raise ValueError(f"unknown {what} {', '.join(map(repr, unknown))}")
        return values

    return AfterValidator(check)


class RuleFileError(ValueError):
    """A rule file that cannot be used, with every problem found, each naming its entry."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: " + "; ".join(problems))


def parse(
    text: str,
    model: type[M],
    *,
    source: str,
    entries: Iterable[str] = (),
    tags: Iterable[str] = (),
    error: type[RuleFileError] = RuleFileError,
    shape: str = "",
) -> M:
    """Return the model the YAML `text` describes, with its content_hash set.

    `entries` are the lists whose items have ids (an error names the item by it); `tags`
    are discriminator values that say nothing to a reader and are left out of error paths;
    `shape` says what the file should be when it is not a mapping.
    """
    try:
        data = yaml.load(text, Loader=SafeLoader)
    except yaml.YAMLError as exc:
        raise error(source, [f"not valid YAML: {_yaml_problem(exc)}"]) from exc
    if not isinstance(data, dict):
        fields = ", ".join(list(model.model_fields)[:3])
        raise error(source, [shape or f"the file is a mapping of {fields}..."])
    data.pop("content_hash", None)
    try:
        parsed = model.model_validate(data)
    except ValidationError as exc:
        lists, noise = set(entries), set(tags)
        problems = [p for e in exc.errors() for p in _describe(e, data, lists, noise)]
        raise error(source, problems) from exc
    digest = hashlib.sha256(to_json(parsed).encode()).hexdigest()
    return parsed.model_copy(update={"content_hash": digest})


def load(path: Path | str, model: type[M], **options) -> M:
    """Read and validate a rule file (options as for parse)."""
    path = Path(path)
    error = options.get("error", RuleFileError)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise error(str(path), [f"cannot be read: {exc.strerror}"]) from exc
    return parse(text, model, source=str(path), **options)


def loaded_once(path: Path, reader) -> object:
    """Return reader(path), read again only when the file changes (by its modification time)."""
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        mtime = 0
    return _cached(reader, str(path), mtime)


@cache
def _cached(reader, path: str, mtime_ns: int) -> object:
    return reader(path)


class Kind:
    """One kind of rule file: its model, its default file, and the setting naming a force's own."""

    def __init__(self, model: type[BaseModel], default: Path, setting: str, **options):
        self.model, self.default, self.setting, self.options = model, default, setting, options

    def parse(self, text: str, source: str) -> BaseModel:
        return parse(text, self.model, source=source, **self.options)

    def load(self, path: Path | str) -> BaseModel:
        return load(path, self.model, **self.options)

    def configured_path(self) -> Path:
        """Return the file in use: the one the setting names, else the default."""
        from django.conf import settings

        return Path(getattr(settings, self.setting, "") or self.default)

    def current(self) -> BaseModel:
        """Return the rules in use, loaded once per version of the file."""
        return loaded_once(self.configured_path(), self.load)


def checked(kind: Kind, path: str | None, stderr) -> tuple[Path, BaseModel]:
    """Load a rule file for a command that checks one (`safeguard duties check-rules`...).

    Args:
        kind: the kind of rule file.
        path: the file to check; None for the one in use (its setting, else the default).
        stderr: where each problem is written, a line each, naming the file and its entry.

    Returns:
        The file checked and the rules it holds. A file that cannot be used raises
        CommandError (the command exits non-zero) after its problems are written.
    """
    from django.core.management.base import CommandError

    target = Path(path) if path else kind.configured_path()
    try:
        return target, kind.load(target)
    except RuleFileError as exc:
        for problem in exc.problems:
            stderr.write(f"{exc.source}: {problem}")
        raise CommandError(f"{target}: {len(exc.problems)} problem(s); not usable") from exc


def to_json(model: BaseModel) -> str:
    """Return the validated content as canonical JSON (keys sorted)."""
    return json.dumps(model.model_dump(mode="json"), sort_keys=True)


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """Return a YAML error as 'line L, column C: problem', without the parser's internals."""
    problem = getattr(exc, "problem", None)
    mark = getattr(exc, "problem_mark", None)
    if problem and mark is not None:
        return f"line {mark.line + 1}, column {mark.column + 1}: {problem}"
    return " ".join(str(exc).split())


def _describe(error: dict, data: dict, lists: set[str], tags: set[str]) -> list[str]:
    """Return one validation error as 'entry-id: field: reason' (a problem a line)."""
    loc = list(error["loc"])
    where = []
    if len(loc) >= 2 and loc[0] in lists and isinstance(loc[1], int):
        items = data.get(loc[0]) or []
        item = items[loc[1]] if loc[1] < len(items) else {}
        name = item.get("id") if isinstance(item, dict) else None
        where.append(f"{loc[0]}[{loc[1]}] ({name})" if name else f"{loc[0]}[{loc[1]}]")
        loc = loc[2:]
    loc = [p for p in loc if p not in tags]
    if loc:
        where.append(
            "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).removeprefix(".")
        )
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "missing":
        message = "is required"
    if not where:  # checks of the whole file: each line names its entry
        return message.splitlines()
    return [f"{': '.join(where)}: {message}"]
