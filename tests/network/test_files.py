"""Reading edge lists and adjacency matrices, and the errors that name file, line and reason."""

import pytest

from safeguard.network import files
from safeguard.network.files import NetworkFileError


def _write(tmp_path, text: str, name: str = "net.txt", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize(
    "text",
    [
        # comma separated, header, BOM and CRLF line endings (as montagna_phone.csv)
        "\ufeffsource,target,weight\r\na,b,2\r\nb,a,3\r\nb,c,1\r\n",
        # tab separated, no header (as the Montagna original)
        "a\tb\t2\nb\ta\t3\nb\tc\t1\n",
        # spaces, comments and blank lines
        "# calls\n\na b 2\n  b   a 3  \n# more\nb c 1\n",
        # old-Mac CR line endings, header i,j,weight (as montagna_sightings.csv)
        "i,j,weight\ra,b,5\rb,c,1\r",
    ],
    ids=["csv-header-bom-crlf", "tsv", "spaces-comments", "cr-endings"],
)
def test_edge_list_variants_sum_both_directions(tmp_path, text):
    network = files.read(_write(tmp_path, text))
    assert network.nodes == ["a", "b", "c"]
    assert network.ties == {("a", "b"): 5.0, ("b", "c"): 1.0}


def test_edge_list_without_weights_counts_each_line_once(tmp_path):
    network = files.read(_write(tmp_path, "source target\nx y\ny z\nx y\n"))
    assert network.ties == {("x", "y"): 2.0, ("y", "z"): 1.0}


def test_self_ties_and_zero_weights_add_people_but_no_ties(tmp_path):
    network = files.read(_write(tmp_path, "a,a,3\nb,c,0\na,b,1\n"))
    assert network.nodes == ["a", "b", "c"]
    assert network.ties == {("a", "b"): 1.0}


MATRIX = '\ufeff"",A,B,C\r\nA,0,2,0\r\nB,1,0,1\r\nC,0,0,0\r\n'


def test_matrix_with_bom_and_quoted_corner(tmp_path):
    network = files.read(_write(tmp_path, MATRIX, "m.csv"))
    assert network.nodes == ["A", "B", "C"]
    assert network.ties == {("A", "B"): 3.0, ("B", "C"): 1.0}


def test_matrix_keeps_people_with_no_ties(tmp_path):
    text = '"players","1","2","3"\n"1",0,1,0\n"2",0,0,0\n"3",0,0,0\n'
    network = files.read(_write(tmp_path, text, "phase.csv"))
    assert network.nodes == ["1", "2", "3"]
    assert network.ties == {("1", "2"): 1.0}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (MATRIX, "matrix"),
        ('"",A,B\nA,0,1\nB,1,0\n', "matrix"),  # 2x2: an empty corner cell
        ("a,b,1\n", "edgelist"),
        ("# x\nsource\ttarget\n", "edgelist"),
    ],
)
def test_format_is_guessed_from_the_first_line(text, expected):
    assert files.guess_format(text.replace("\r", "").split("\n")) == expected


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        # a row with one value too few
        ('"",A,B,C\nA,0,1,0\nB,1,0\nC,0,0,0\n', 3, "not square: 2 value(s)"),
        # more rows than columns (a two-mode person x event matrix)
        ('"",E1,E2\nA,0,1\nB,1,0\nC,1,1\n', 4, "not square: 3 rows for the 2 columns"),
        # fewer rows than columns
        ('"",A,B,C\nA,0,1,0\nB,1,0,0\n', 3, "not square: 2 row(s) for the 3 columns"),
        # a cell that is not a number
        ('"",A,B\nA,0,x\nB,1,0\n', 2, "cell (A, B) is 'x', not a number"),
        # an empty cell
        ('"",A,B\nA,0,\nB,1,0\n', 2, "cell (A, B) is '', not a number"),
        # row names out of the header's order
        ('"",A,B\nB,0,1\nA,1,0\n', 2, "row 1 is named 'B' but column 1 is 'A'"),
        ('"",A,B\nA,0,-1\nB,1,0\n', 2, "cell (A, B) is negative"),
        ('"",A,A\nA,0,1\nA,1,0\n', 1, "column names repeated: ['A']"),
    ],
    ids=[
        "short-row",
        "two-mode",
        "missing-rows",
        "non-numeric",
        "empty-cell",
        "row-name",
        "negative",
        "repeated-name",
    ],
)
def test_bad_matrix_names_file_line_and_reason(tmp_path, text, line, reason):
    path = _write(tmp_path, text, "bad.csv")
    with pytest.raises(NetworkFileError) as caught:
        files.read(path, "matrix")
    assert caught.value.line == line
    assert reason in caught.value.reason
    assert str(caught.value).startswith(f"{path}, line {line}: ")


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("a,b,1\nb,c,lots\n", 2, "weight 'lots' is not a number"),
        ("a b 1\n# c\nb c -2\n", 3, "weight -2 is negative"),
        ("a,b,1\na,b,1,9\n", 2, "expected `a b [weight]`, found 4 cell(s)"),
        ("a,b,1\nlonely\n", 2, "found 1 cell(s)"),
    ],
)
def test_bad_edge_list_names_file_line_and_reason(tmp_path, text, line, reason):
    with pytest.raises(NetworkFileError) as caught:
        files.read(_write(tmp_path, text), "edgelist")
    assert (caught.value.line, reason in caught.value.reason) == (line, True)


def test_empty_and_unreadable_files(tmp_path):
    with pytest.raises(NetworkFileError, match="no ties found"):
        files.read(_write(tmp_path, "# nothing\n\n"))
    with pytest.raises(NetworkFileError, match="cannot be read"):
        files.read(tmp_path / "missing.csv")
    with pytest.raises(NetworkFileError, match="not UTF-8"):
        files.read(_write(tmp_path, "a,b,1\n", encoding="utf-16"))
