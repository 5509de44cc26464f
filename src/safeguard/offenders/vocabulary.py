"""The offenders app's controlled vocabularies: MAPPA, risk bands, status, visits, notifications."""

from django.db import models


class MappaCategory(models.IntegerChoices):
    """Criminal Justice Act 2003 s325-327B (DOMAIN.md section 6)."""

    REGISTERED_SEX_OFFENDER = 1, "Category 1: registered sexual offender"
    VIOLENT_OR_OTHER_SEXUAL = 2, "Category 2: violent offender (12 months or more), other sexual"
    OTHER_DANGEROUS = 3, "Category 3: other dangerous offender"
    TERRORISM = 4, "Category 4: terrorism"


class MappaLevel(models.IntegerChoices):
    SINGLE_AGENCY = 1, "Level 1: ordinary agency management"
    MULTI_AGENCY = 2, "Level 2: active multi-agency management"
    SENIOR_OVERSIGHT = 3, "Level 3: active multi-agency management with senior oversight"


class Band(models.TextChoices):
    """The bands of Risk Matrix 2000, OSP and OASys risk of serious harm, lowest first."""

    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    VERY_HIGH = "very_high", "Very high"


# Bands in order of risk: the level is the highest band of those measured (schedule.yaml).
BAND_ORDER = {band: rank for rank, band in enumerate(Band.values)}


class Status(models.TextChoices):
    ACTIVE = "active", "Active in the community"
    IN_CUSTODY = "in_custody", "In custody"
    ABROAD = "abroad", "Abroad (notified travel)"
    WANTED = "wanted", "Whereabouts unknown (wanted)"
    DECEASED = "deceased", "Deceased"
    REMOVED = "removed", "Removed from the register (period ended or order discharged)"


# Statuses whose offenders are visited at home: the rest have nothing due while they last,
# except WANTED, whose visits stay overdue so that the lapse stays in front of the supervisor.
VISITED = frozenset({Status.ACTIVE, Status.WANTED})


class VisitOutcome(models.TextChoices):
    SEEN = "seen", "Seen at home"
    NOT_SEEN = "not_seen", "Not seen (no answer)"
    REFUSED = "refused", "Refused entry"
    NOT_AT_ADDRESS = "not_at_address", "No longer living at the address"


class ReviewKind(models.TextChoices):
    ARMS = "arms", "ARMS (Active Risk Management System)"
    RM2000 = "rm2000", "Risk Matrix 2000"
    OASYS = "oasys", "OASys risk of serious harm"
    OTHER = "other", "Other risk review"


class NotificationKind(models.TextChoices):
    INITIAL = "initial", "Initial notification"
    CHANGE = "change", "Change of name or home address"
    STAY_7_DAYS = "stay_7_days", "Stay of 7 days or more at another address"
    ANNUAL = "annual", "Annual re-notification"
    HOUSEHOLD_CHILD = "household_child", "Living in a household with a child under 18"
    FOREIGN_TRAVEL = "foreign_travel", "Foreign travel"


class AlertKind(models.TextChoices):
    VISIT = "visit", "Home visit overdue"
    REVIEW = "review", "Risk review overdue"
    NOTIFICATION = "notification", "Notification overdue"


class AlertLevel(models.IntegerChoices):
    """Who is told of what is overdue (escalation.py; `escalation.again_days` in the rules)."""

    TEAM = 1, "Level 1: the team's supervisors"
    FORCE = 2, "Level 2: still overdue, the team's supervisors again and the force's"
