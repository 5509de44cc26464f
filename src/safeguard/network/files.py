"""Read a network given as an edge list or an adjacency matrix, with errors naming file and line.

Two formats, as criminal networks are published (../shared/data/, docs/network.md):

- an edge list: one tie a line, `a b [weight]`, separated by commas, tabs or spaces;
  blank lines and lines starting with `#` are skipped; a first line such as
  `source,target,weight` is taken as a header;
- an adjacency matrix (CSV): a header row of names (its first cell is a corner label and
  is ignored), then one row a person, named in its first cell, in the header's order;
  a cell is the strength of the tie from the row to the column (0: none).

Ties are undirected: a->b and b->a add up, as repeated lines of an edge list do. A tie of a
person with themselves is dropped; a weight of 0 is no tie; a negative weight is an error.
"""

import csv
import io
import math
from dataclasses import dataclass, field
from pathlib import Path

FORMATS = ("edgelist", "matrix")
# First-line cells that mark an edge list's header when every cell of the line is one.
_HEADER_WORDS = {"source", "target", "from", "to", "weight", "i", "j", "node1", "node2"}


class NetworkFileError(ValueError):
    """A network file that cannot be read: the file, the line and the reason."""

    def __init__(self, path: str, line: int | None, reason: str):
        self.path, self.line, self.reason = path, line, reason
        where = f"{path}, line {line}" if line else path
        super().__init__(f"{where}: {reason}")


@dataclass
class Network:
    """People (in the order first met) and undirected weighted ties between them."""

    source: str
    nodes: list[str] = field(default_factory=list)
    ties: dict[tuple[str, str], float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._order: dict[str, int] = {name: i for i, name in enumerate(self.nodes)}

    def add_node(self, name: str) -> None:
        if name not in self._order:
            self._order[name] = len(self.nodes)
            self.nodes.append(name)

    def add_tie(self, a: str, b: str, weight: float) -> None:
        self.add_node(a)
        self.add_node(b)
        if a == b or weight == 0:
            return
        key = (a, b) if self._order[a] <= self._order[b] else (b, a)
        self.ties[key] = self.ties.get(key, 0.0) + weight


def read(path: Path | str, format: str | None = None) -> Network:
    """Return the network in `path`.

    Args:
        path: an edge list or adjacency matrix file (UTF-8, a byte order mark allowed).
        format: "edgelist" or "matrix"; guessed from the first line when None.

    Returns:
        The Network, its ties undirected and summed.

    Raises:
        NetworkFileError: the file cannot be read, naming the line and the reason.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise NetworkFileError(str(path), None, f"cannot be read: {reason}") from exc
    return parse(text, str(path), format)


def parse(text: str, source: str = "<network>", format: str | None = None) -> Network:
    """Return the network the text describes (arguments as for read)."""
    text = text.removeprefix("\ufeff")
    # Universal newlines: \r\n and old-Mac \r endings alike.
    lines = io.StringIO(text, newline=None).read().split("\n")
    if format is None:
        format = guess_format(lines)
    if format == "matrix":
        return _matrix(lines, source)
    if format == "edgelist":
        return _edge_list(lines, source)
    raise NetworkFileError(source, None, f"unknown format {format!r} (one of {FORMATS})")


def guess_format(lines: list[str]) -> str:
    """Return "matrix" when the first line that is not blank or a comment has more than three
    cells, or three with an empty first (a matrix's corner); else "edgelist"."""
    for line in lines:
        if line.strip() and not line.lstrip().startswith("#"):
            cells = _split(line)
            if len(cells) > 3 or (len(cells) == 3 and cells[0] == ""):
                return "matrix"
            return "edgelist"
    return "edgelist"


def _split(line: str) -> list[str]:
    """Split a line on commas, else tabs, else runs of spaces; quotes as in CSV."""
    line = line.strip("\n")
    if "," in line or "\t" in line:
        delimiter = "," if "," in line else "\t"
        return [c.strip() for c in next(csv.reader([line], delimiter=delimiter))]
    return line.split()


def _number(cell: str) -> float | None:
    try:
        value = float(cell)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _edge_list(lines: list[str], source: str) -> Network:
    network = Network(source)
    first = True
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = _split(line)
        if first:
            first = False
            if _is_header(cells):
                continue
        if len(cells) not in (2, 3) or not all(cells[:2]):
            raise NetworkFileError(
                source,
                number,
                f"expected `a b [weight]`, found {len(cells)} cell(s): {line.strip()!r}",
            )
        weight = 1.0
        if len(cells) == 3:
            weight = _number(cells[2])
            if weight is None:
                raise NetworkFileError(source, number, f"weight {cells[2]!r} is not a number")
            if weight < 0:
                raise NetworkFileError(source, number, f"weight {cells[2]} is negative")
        network.add_tie(cells[0], cells[1], weight)
    if not network.nodes:
        raise NetworkFileError(source, None, "no ties found")
    return network


def _is_header(cells: list[str]) -> bool:
    """A first line is a header when its weight is not a number, or every cell is a column name."""
    if len(cells) == 3 and _number(cells[2]) is None:
        return True
    return all(c.lower() in _HEADER_WORDS for c in cells)


def _matrix(lines: list[str], source: str) -> Network:
    rows = [(n, line) for n, line in enumerate(lines, start=1) if line.strip()]
    if not rows:
        raise NetworkFileError(source, None, "empty file")
    header_line, header = rows[0][0], _split(rows[0][1])
    names = header[1:]
    if not names:
        raise NetworkFileError(source, header_line, "the header row names no columns")
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise NetworkFileError(source, header_line, f"column names repeated: {duplicates}")
    if "" in names:
        column = names.index("") + 2
        raise NetworkFileError(source, header_line, f"column {column} has no name")
    network = Network(source)
    for name in names:
        network.add_node(name)
    body = rows[1:]
    if len(body) > len(names):
        raise NetworkFileError(
            source,
            body[len(names)][0],
            f"not square: {len(body)} rows for the {len(names)} columns of the header",
        )
    for index, (number, line) in enumerate(body):
        cells = _split(line)
        if len(cells) != len(names) + 1:
            raise NetworkFileError(
                source,
                number,
                f"not square: {len(cells) - 1} value(s) in this row, "
                f"{len(names)} columns in the header",
            )
        name = cells[0]
        if name != names[index]:
            raise NetworkFileError(
                source,
                number,
                f"row {index + 1} is named {name!r} but column {index + 1} is {names[index]!r}",
            )
        for column, cell in zip(names, cells[1:], strict=True):
            value = _number(cell)
            if value is None:
                raise NetworkFileError(
                    source, number, f"cell ({name}, {column}) is {cell!r}, not a number"
                )
            if value < 0:
                raise NetworkFileError(source, number, f"cell ({name}, {column}) is negative")
            if value:
                network.add_tie(name, column, value)
    if len(body) < len(names):
        last = body[-1][0] if body else header_line
        raise NetworkFileError(
            source,
            last,
            f"not square: {len(body)} row(s) for the {len(names)} columns of the header",
        )
    return network
