"""Stored results of network analysis: each run, the lines it found, each person's part.

A run is never changed or deleted: a later run stores its own lines, so an analyst can see
how a line looked when a decision was taken. The latest finished run is "what we know now".
A line keeps its drawing (nodes and edges with the records behind each) as JSON, so its page
and its exports show exactly what the run found, without running it again.
"""

from django.db import models

from safeguard.records.models import Agency, Person


class AnalysisRun(models.Model):
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    # The window of dates analysed (null: open).
    window_start = models.DateField(null=True, blank=True)
    window_end = models.DateField(null=True, blank=True)
    rules = models.CharField(max_length=200)  # id, version and content hash of lines.yaml
    rules_hash = models.CharField(max_length=64)
    nodes = models.PositiveIntegerField(default=0)
    edges = models.PositiveIntegerField(default=0)
    ran_by = models.CharField(max_length=200)  # a user, or the command
    # The agency whose analysis it is, and that records what it found about children.
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"network analysis {self.pk} ({self.started_at:%Y-%m-%d %H:%M})"


class Line(models.Model):
    """A county line found in a run: its deal phones, places, period and drawing."""

    run = models.ForeignKey(AnalysisRun, on_delete=models.PROTECT, related_name="lines")
    key = models.SlugField(max_length=100)  # the brand, else the first deal number
    brand = models.CharField(max_length=200, blank=True)
    # [{"number", "reason"}] for each deal-line phone.
    deal_phones = models.JSONField(default=list)
    origin = models.CharField(max_length=200, blank=True)  # the hub where its leaders live
    targets = models.JSONField(default=list)  # towns it supplies, most evidence first
    force_areas = models.JSONField(default=list)  # force areas of its places and records
    first_seen = models.DateField(null=True, blank=True)
    last_seen = models.DateField(null=True, blank=True)
    people = models.PositiveIntegerField(default=0)
    children = models.PositiveIntegerField(default=0)
    # {"nodes": [{"key", "kind", "label", "records", "role", "child", ...}],
    #  "edges": [{"source", "target", "kind", "count", "first", "last", "sources"}]}
    drawing = models.JSONField(default=dict)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "key"], name="line_unique_in_run")]
        ordering = ["run", "key"]

    def __str__(self) -> str:
        return self.brand or self.key


class LineMember(models.Model):
    """One person's part in a line: every role's score with its reasons, and the role given."""

    line = models.ForeignKey(Line, on_delete=models.PROTECT, related_name="members")
    # The first record of the person node; `records` lists every record it stands for.
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="line_parts")
    records = models.JSONField(default=list)
    node = models.CharField(max_length=100)
    label = models.CharField(max_length=1000)
    role = models.CharField(max_length=32)
    scores = models.JSONField(default=dict)  # role -> 0..1
    reasons = models.JSONField(default=dict)  # role -> [sentence]
    age = models.PositiveSmallIntegerField(null=True, blank=True)  # when last seen
    is_child = models.BooleanField(default=False)
    controller_rank = models.PositiveIntegerField()  # 1 = highest controller score in the line
    # Legal tools against this person, for a disruption target: [{"tool", "title", "why"}].
    tools = models.JSONField(default=list)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["line", "node"], name="line_member_unique")]
        indexes = [models.Index(fields=["person"]), models.Index(fields=["role", "is_child"])]
        ordering = ["line", "controller_rank"]

    def __str__(self) -> str:
        return f"{self.label} ({self.role}) in {self.line}"
