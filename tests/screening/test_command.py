"""`safeguard screening`: check a catalogue, run over every child, evaluate against labels."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from safeguard.demo.loading import load_world
from safeguard.screening.catalogue import DEFAULT_PATH


def _run(*args: str) -> str:
    out = StringIO()
    call_command("screening", *args, stdout=out)
    return out.getvalue()


def test_check_names_the_catalogue_version_and_size():
    out = _run("check")
    assert out.startswith(f"{DEFAULT_PATH}: cce-county-lines 1.2.0 (")
    assert "18 indicators, 7 vulnerability factors" in out


def test_check_reports_each_problem_of_a_bad_catalogue(tmp_path):
    text = DEFAULT_PATH.read_text().replace("kinds: [missing_episode]", "kinds: [went_missing]", 1)
    bad = tmp_path / "force.yaml"
    bad.write_text(text)
    err = StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_command("screening", "check", str(bad), stderr=err)
    assert err.getvalue().strip() == (
        f"{bad}: indicators[0] (missing-repeatedly): evidence[0].kinds: "
        "unknown event kind 'went_missing'"
    )


@pytest.mark.django_db
def test_a_broken_configured_catalogue_stops_a_run(tmp_path, settings):
    bad = tmp_path / "force.yaml"
    bad.write_text("id: x\n")
    settings.SCREENING_CATALOGUE = str(bad)
    with pytest.raises(CommandError, match="version: is required"):
        call_command("screening", "run")


@pytest.mark.django_db
def test_evaluate_scores_the_tiny_world_against_its_labels(tmp_path):
    labels = tmp_path / "truth.json"
    load_world(2019, "tiny", labels)
    report = json.loads(_run("evaluate", "--labels", str(labels), "--json"))
    for key in ("precision", "recall", "f1"):
        assert 0 < report[key] <= 1
    assert {"disparity_ratio_exploited", "disparity_ratio_not_exploited"} <= set(report)
    assert report["exploited"] == report["true_positives"] + report["false_negatives"] > 0
    text = _run("evaluate", "--labels", str(labels))
    assert "medium or higher against exploited: precision" in text


@pytest.mark.django_db
def test_evaluate_refuses_a_file_that_is_not_labels(tmp_path):
    wrong = tmp_path / "x.json"
    wrong.write_text(json.dumps({"lines": []}))
    with pytest.raises(CommandError, match="no people list"):
        call_command("screening", "evaluate", "--labels", str(wrong))


@pytest.mark.django_db
def test_run_reports_what_changed():
    out = _run("run", "--at", "2025-03-01")
    assert out.startswith("screened 0 children as of 2025-03-01 23:59; 0 changed")
