"""Screening.outcome: the digest a re-screen compares, so it never decodes the old result."""

from django.db import migrations, models


def fill_outcomes(apps, schema_editor):
    from safeguard.screening.models import outcome_digest

    Screening = apps.get_model("screening", "Screening")
    for s in Screening.objects.filter(outcome="").iterator(chunk_size=2000):
        digest = outcome_digest(
            s.level, s.score, s.indicators, s.vulnerabilities, s.catalogue_hash
        )
        # An update by key, not save(): stored screenings are otherwise never changed.
        Screening.objects.filter(pk=s.pk).update(outcome=digest)


class Migration(migrations.Migration):
    dependencies = [("screening", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="screening",
            name="outcome",
            field=models.CharField(
                default="",
                help_text="SHA-256 of what a change is judged on (outcome_digest): a re-screen "
                "stores a new screening only when it differs from the latest one's.",
                max_length=64,
            ),
            preserve_default=False,
        ),
        migrations.RunPython(fill_outcomes, migrations.RunPython.noop),
    ]
