"""The POLE store: Person, Object, Location, Event, and the links between them.

Every entity is a *source record*: what one agency recorded, keyed by (agency, source_ref)
so that importing the same record twice changes nothing. Records are never overwritten by
other agencies' data; identity resolution (a later layer) groups them without editing them.
`source_hash` is the digest of the record as it was received, so a re-import can tell an
identical record (skip) from a conflicting one (refuse).
"""

from django.db import models
from django.db.models import Q

from safeguard.records import vocabulary as v


class Agency(models.Model):
    code = models.SlugField(max_length=64, unique=True)
    kind = models.CharField(max_length=32, choices=v.AgencyKind.choices)
    name = models.CharField(max_length=500)
    jurisdiction = models.CharField(
        max_length=32, choices=v.Jurisdiction.choices, default=v.Jurisdiction.ENGLAND_WALES
    )
    # For a local authority: its ONS code (e.g. E08000012 Liverpool); for a force: its area code.
    area_code = models.CharField(max_length=32, blank=True)
    # Where referrals to it are delivered (a secure e-mail address: CJSM or the agency's
    # own secure domain); blank for an agency that receives none.
    referral_address = models.EmailField(max_length=254, blank=True)

    class Meta:
        verbose_name_plural = "agencies"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class SourceRecord(models.Model):
    """Fields every source record carries."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT)
    source_ref = models.CharField(max_length=200)
    source_hash = models.CharField(max_length=64, editable=False)
    recorded_at = models.DateTimeField(editable=False)

    class Meta:
        abstract = True


def _source_unique(name: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(fields=["agency", "source_ref"], name=f"{name}_source_unique")


class Person(SourceRecord):
    given_name = models.CharField(max_length=500, blank=True)
    family_name = models.CharField(max_length=500, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    dob_precision = models.CharField(
        max_length=16, choices=v.DobPrecision.choices, default=v.DobPrecision.EXACT
    )
    sex = models.CharField(max_length=16, choices=v.Sex.choices, default=v.Sex.UNKNOWN)
    # Stored because people have a right to be recorded as they describe themselves; never
    # read by any rule (DOMAIN.md section 3: protected characteristics are never an input).
    self_defined_ethnicity = models.CharField(max_length=200, blank=True)
    flags = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [_source_unique("person")]
        indexes = [models.Index(fields=["family_name", "given_name"])]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}".strip() or f"person {self.source_ref}"


class PersonName(models.Model):
    """Another name a person is recorded under: alias, nickname, previous name, spelling."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="other_names")
    kind = models.CharField(max_length=16, choices=v.NameKind.choices)
    given_name = models.CharField(max_length=500, blank=True)
    family_name = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind", "given_name", "family_name"], name="person_name_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.given_name} {self.family_name}".strip()


class Phone(SourceRecord):
    number = models.CharField(max_length=32, db_index=True)
    handset_ids = models.JSONField(default=list, blank=True)
    is_deal_line = models.BooleanField(default=False)
    line_name = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [_source_unique("phone")]

    def __str__(self) -> str:
        return self.number


class Item(SourceRecord):
    """An object other than a phone: vehicle, weapon, drugs, cash, ticket."""

    kind = models.CharField(max_length=16, choices=v.ItemKind.choices)
    description = models.TextField(blank=True)
    # Kind-specific facts (drug class and quantity, cash amount, registration, ticket route),
    # validated per kind by safeguard.intake.schema before they reach the store.
    attributes = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [_source_unique("item")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.source_ref}"


class Location(SourceRecord):
    kind = models.CharField(max_length=32, choices=v.LocationKind.choices)
    name = models.CharField(max_length=500, blank=True)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=16, blank=True, db_index=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    # Code of the police force whose area holds the place, and of the local authority
    # (ONS code) whose children's services a child living here is referred to.
    force_area = models.CharField(max_length=64, blank=True)
    local_authority = models.CharField(max_length=32, blank=True)

    class Meta:
        constraints = [
            _source_unique("location"),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="location_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="location_longitude_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.address or f"location {self.source_ref}"


class Event(SourceRecord):
    kind = models.CharField(max_length=32, choices=v.EventKind.choices)
    occurred_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.PROTECT)
    summary = models.TextField(blank=True)
    # Intelligence grading (e.g. 3x5x2 "1-A-P"): blank for recorded fact, set for intelligence.
    grading = models.CharField(max_length=16, blank=True)
    attributes = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            _source_unique("event"),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("occurred_at")),
                name="event_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["kind", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_at:%Y-%m-%d}"


class Participation(models.Model):
    """A person in an event with a role, and their age at the time of the event."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participations")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="participations")
    role = models.CharField(max_length=32, choices=v.Role.choices)
    # Copied from the event so a person's timeline is one index range scan.
    occurred_at = models.DateTimeField()
    # Whole years at occurred_at; null when the date of birth is not known.
    age_at_event = models.PositiveSmallIntegerField(null=True, blank=True)
    # The band the source gave instead of a date of birth (data.police.uk), if any; then
    # age_at_event is the band's age nearest 18 (vocabulary.AGE_OF_RANGE).
    age_range = models.CharField(max_length=16, choices=v.AgeRange.choices, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "person", "role"], name="participation_unique")
        ]
        indexes = [
            models.Index(fields=["person", "occurred_at"]),
            models.Index(fields=["age_at_event", "occurred_at"]),
        ]

    def __str__(self) -> str:
        return f"person {self.person_id} as {self.role} in event {self.event_id}"


class EventObject(models.Model):
    """A phone or other object in an event (seized, carried, found), and who held it."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="event_objects")
    phone = models.ForeignKey(Phone, null=True, blank=True, on_delete=models.PROTECT)
    item = models.ForeignKey(Item, null=True, blank=True, on_delete=models.PROTECT)
    holder = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT)
    role = models.CharField(max_length=16, choices=v.ObjectRole.choices)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(phone__isnull=False) & Q(item__isnull=True))
                | (Q(phone__isnull=True) & Q(item__isnull=False)),
                name="event_object_one_target",
            )
        ]

    def __str__(self) -> str:
        target = f"phone {self.phone_id}" if self.phone_id else f"object {self.item_id}"
        return f"{target} {self.role} in event {self.event_id}"


class Link(SourceRecord):
    """A typed, dated relationship between two entities, with where it came from.

    Exactly one `from_*` and one `to_*` endpoint is set; which ones is fixed by the kind
    (vocabulary.LINK_ENDPOINTS). `event` is the event that asserted the link, if any.
    """

    kind = models.CharField(max_length=32, choices=v.LinkKind.choices)
    from_person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="links_out"
    )
    from_phone = models.ForeignKey(
        Phone, null=True, blank=True, on_delete=models.PROTECT, related_name="links_out"
    )
    to_person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="links_in"
    )
    to_phone = models.ForeignKey(
        Phone, null=True, blank=True, on_delete=models.PROTECT, related_name="links_in"
    )
    to_location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.PROTECT, related_name="links_in"
    )
    to_item = models.ForeignKey(
        Item, null=True, blank=True, on_delete=models.PROTECT, related_name="links_in"
    )
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    # For phone contact: number of calls and texts in the period.
    count = models.PositiveIntegerField(null=True, blank=True)
    confidence = models.FloatField(default=1.0)
    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.PROTECT)
    note = models.TextField(blank=True)

    class Meta:
        constraints = [
            _source_unique("link"),
            models.CheckConstraint(
                condition=(Q(from_person__isnull=False) & Q(from_phone__isnull=True))
                | (Q(from_person__isnull=True) & Q(from_phone__isnull=False)),
                name="link_one_from",
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        to_person__isnull=False,
                        to_phone__isnull=True,
                        to_location__isnull=True,
                        to_item__isnull=True,
                    )
                    | Q(
                        to_person__isnull=True,
                        to_phone__isnull=False,
                        to_location__isnull=True,
                        to_item__isnull=True,
                    )
                    | Q(
                        to_person__isnull=True,
                        to_phone__isnull=True,
                        to_location__isnull=False,
                        to_item__isnull=True,
                    )
                    | Q(
                        to_person__isnull=True,
                        to_phone__isnull=True,
                        to_location__isnull=True,
                        to_item__isnull=False,
                    )
                ),
                name="link_one_to",
            ),
            models.CheckConstraint(
                condition=Q(confidence__gte=0) & Q(confidence__lte=1), name="link_confidence_range"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="link_valid_period",
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "from_person"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.source_ref})"
