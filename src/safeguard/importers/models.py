"""What an import of published data keeps beside the records it made."""

from django.db import models

from safeguard.records.models import Agency, Event


class ImportedFile(models.Model):
    """A data.police.uk file imported: what it was, what it held, and its licence's
    attribution, kept with the data as the Open Government Licence requires. One per file
    content and agency: importing the same bytes again adds nothing."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="imported_files")
    kind = models.CharField(max_length=32)  # stop-and-search, street, outcomes
    name = models.CharField(max_length=300)  # the file's name when first imported
    sha256 = models.CharField(max_length=64)
    month = models.CharField(max_length=7, blank=True)  # YYYY-MM, from the name, if it says
    rows = models.PositiveIntegerField()
    summary = models.JSONField(default=dict)  # records created and already present, by kind
    attribution = models.TextField()
    licence = models.CharField(max_length=200)
    format_version = models.CharField(max_length=32)  # of importers/police_uk.yaml
    imported_at = models.DateTimeField()
    imported_by = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "sha256"], name="imported_file_once")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.agency_id})"


class CrimeOutcome(models.Model):
    """An outcome of a crime as a data.police.uk outcomes file gives it (month by month),
    joined to the crime's event by its Crime ID when that crime is imported (before or
    after)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="crime_outcomes")
    crime_id = models.CharField(max_length=64)
    month = models.CharField(max_length=7)
    outcome_type = models.CharField(max_length=300)
    event = models.ForeignKey(
        Event, on_delete=models.PROTECT, null=True, blank=True, related_name="crime_outcomes"
    )
    file = models.ForeignKey(ImportedFile, on_delete=models.PROTECT, related_name="outcomes")
    line = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "crime_id", "month", "outcome_type"], name="crime_outcome_once"
            )
        ]
        indexes = [models.Index(fields=["agency", "crime_id"])]

    def __str__(self) -> str:
        return f"{self.crime_id[:12]}… {self.month}: {self.outcome_type}"
