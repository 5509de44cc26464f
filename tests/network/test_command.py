"""`safeguard network analyse` on a small matrix file: the table and the JSON."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

# Person "boss" links two groups of three; "c" is tied to no one.
MATRIX = """\ufeff"",boss,a1,a2,b1,b2,c
boss,0,2,0,3,0,0
a1,1,0,1,0,0,0
a2,0,1,0,0,0,0
b1,0,0,0,0,4,0
b2,0,0,0,1,0,0
c,0,0,0,0,0,0
"""


@pytest.fixture
def matrix(tmp_path):
    path = tmp_path / "small.csv"
    path.write_text(MATRIX, encoding="utf-8")
    return path


def _run(*args) -> str:
    out = StringIO()
    call_command("network", *args, stdout=out)
    return out.getvalue()


def test_json_lists_people_by_controller_score_with_reasons(matrix):
    result = json.loads(_run("analyse", "--edges", str(matrix), "--json"))
    assert [r["node"] for r in result][0] == "boss"
    assert len(result) == 6
    top = result[0]
    assert {"node", "controller_score", "reasons"} <= set(top)
    assert top["controller_score"] > result[1]["controller_score"]
    assert "in contact with 2 of the other 5 people (rank 1 of 6)" in top["reasons"]
    scores = [r["controller_score"] for r in result]
    assert scores == sorted(scores, reverse=True)
    assert result[-1]["node"] == "c" and result[-1]["controller_score"] == 0


def test_top_limits_the_list_and_the_format_can_be_given(matrix):
    result = json.loads(
        _run("analyse", "--edges", str(matrix), "--format", "matrix", "--top", "2", "--json")
    )
    assert [r["node"] for r in result] == ["boss", result[1]["node"]] and len(result) == 2


def test_the_table_shows_rank_node_score_and_reasons(matrix):
    text = _run("analyse", "--edges", str(matrix), "--top", "3")
    assert "6 people, 4 ties" in text
    assert "controller-score 1.0.0" in " ".join(text.split())
    score = json.loads(_run("analyse", "--edges", str(matrix), "--json"))[0]["controller_score"]
    row = next(line for line in text.splitlines() if "boss" in line).split("│")
    assert [c.strip() for c in row[1:4]] == ["1", "boss", f"{score:.3f}"]
    assert "shortest paths" in text


def test_a_bad_file_is_an_error_naming_the_line(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text('"",a,b\na,0,1\nb,x,0\n')
    with pytest.raises(CommandError, match=r"bad.csv, line 3: cell \(b, a\) is 'x'"):
        _run("analyse", "--edges", str(bad))
