"""The forms on an offender's record: a visit, a risk review, a notification made or given,
and the management plan.

Each reads what was typed (dates through web.dates) into the arguments of the recording
functions (accounts.managing, offenders.recording); whether they hold together (not in the
future, a visit after registration, the plan's months) is the domain's question, whose
answer (recording.Invalid) comes back onto the field it names (`domain_errors`).
"""

from django import forms

from safeguard.accounts import managing
from safeguard.accounts.acting import display_name
from safeguard.offenders import recording
from safeguard.offenders.models import Offender
from safeguard.offenders.vocabulary import Band, NotificationKind, ReviewKind, VisitOutcome
from safeguard.web import dates

YES_NO = (("yes", "Yes"), ("no", "No"))


def _text(limit: str, **kwargs) -> forms.CharField:
    return forms.CharField(
        required=False,
        max_length=recording.LIMITS[limit],
        strip=False,
        error_messages={
            "max_length": f"The {limit} must be {recording.LIMITS[limit]:,} characters or fewer"
        },
        **kwargs,
    )


class OffenderForm(forms.Form):
    """A form whose fields have their names as ids (the error summary links there), and
    which takes the domain's errors onto its fields."""

    # The domain's argument -> the field it concerns (the date's day); not listed: the same.
    FIELDS: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)

    @classmethod
    def made(cls, data: dict | None, *, offender: Offender, user) -> "OffenderForm":
        """The form for this offender and user: bound to what was posted, else empty."""
        return cls(data)

    def domain_errors(self, errors: dict[str, str]) -> list[str]:
        """Put the domain's errors on their fields; return those of no field on the form."""
        left = []
        for name, message in errors.items():
            target = self.FIELDS.get(name, name)
            if target in self.fields:
                self.add_error(target, message)
            else:
                left.append(message)
        return left


class VisitForm(OffenderForm):
    FIELDS = {"at": "at_day"}
    at_day, at_month, at_year, at_time = dates.date_fields(with_time=True)
    outcome = forms.ChoiceField(
        choices=VisitOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the outcome of the visit"},
    )
    announced = forms.ChoiceField(
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the visit was announced"},
    )
    officer = forms.TypedChoiceField(
        coerce=int, error_messages={"invalid_choice": "Select an officer from the list"}
    )
    notes = _text("notes")

    @classmethod
    def made(cls, data: dict | None, *, offender: Offender, user) -> "VisitForm":
        return cls(data, user=user)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].choices = [(u.pk, display_name(u)) for u in managing.officers(user)]
        self.fields["officer"].initial = user.pk
        self.at = None

    @property
    def officer_options(self) -> list[dict]:
        """The officers as web/encounters/_select.html draws them, the chosen one selected."""
        chosen = str(self["officer"].value())
        return [
            {"value": pk, "label": name, "checked": str(pk) == chosen}
            for pk, name in self.fields["officer"].choices
        ]

    def clean(self) -> dict:
        data = super().clean()
        self.at = dates.read_moment(data, "at", "the visit", self)
        return data

    def values(self) -> dict:
        """The arguments of accounts.managing.record_visit."""
        data = self.cleaned_data
        return {
            "at": self.at,
            "outcome": data["outcome"],
            "announced": data["announced"] == "yes",
            "officer_id": data["officer"],
            "notes": data["notes"],
        }


class ReviewForm(OffenderForm):
    FIELDS = {"completed_on": "completed_day"}
    kind = forms.ChoiceField(
        choices=ReviewKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of risk review"},
    )
    completed_day, completed_month, completed_year = dates.date_fields()
    level = forms.ChoiceField(
        choices=Band.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the risk level the review set"},
    )
    summary = _text("summary")

    def clean(self) -> dict:
        data = super().clean()
        self.completed_on = dates.read_date(data, "completed", "the date of the review", self)
        return data

    def values(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "completed_on": self.completed_on,
            "level": data["level"],
            "summary": data["summary"],
        }


class NotificationForm(OffenderForm):
    """A notification the offender made (not one recorded as pending: NotifiedForm)."""

    FIELDS = {"trigger_at": "trigger_day", "notified_at": "notified_day"}
    kind = forms.ChoiceField(
        choices=NotificationKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what the offender notified"},
    )
    trigger_day, trigger_month, trigger_year = dates.date_fields()
    notified_day, notified_month, notified_year, notified_time = dates.date_fields(with_time=True)
    details = _text("details")

    def clean(self) -> dict:
        data = super().clean()
        day = dates.read_date(data, "trigger", "the date of what was notified", self)
        self.trigger_at = recording.start_of(day)
        self.notified_at = dates.read_moment(data, "notified", "the notification", self)
        return data

    def values(self) -> dict:
        return {
            "kind": self.cleaned_data["kind"],
            "trigger_at": self.trigger_at,
            "notified_at": self.notified_at,
            "details": self.cleaned_data["details"],
        }


class NotifiedForm(OffenderForm):
    """A pending notification made: when."""

    FIELDS = {"notified_at": "notified_day"}
    notified_day, notified_month, notified_year, notified_time = dates.date_fields(with_time=True)

    def clean(self) -> dict:
        data = super().clean()
        self.notified_at = dates.read_moment(data, "notified", "the notification", self)
        return data

    def values(self) -> dict:
        return {"notified_at": self.notified_at}


class PlanForm(OffenderForm):
    """The management plan, shown as it stands until changed."""

    FIELDS = {"review_on": "review_day"}
    plan = _text("plan")
    visit_months = forms.IntegerField(
        required=False,
        error_messages={"invalid": "Enter the months between visits as a number, like 3"},
    )
    review_day, review_month, review_year = dates.date_fields()

    @classmethod
    def made(cls, data: dict | None, *, offender: Offender, user) -> "PlanForm":
        """The form posted, or the offender's plan as it stands."""
        if data is not None:
            return cls(data)
        review = offender.plan_review_on
        return cls(
            initial={
                "plan": offender.plan,
                "visit_months": offender.plan_visit_months,
                "review_day": review.day if review else "",
                "review_month": review.month if review else "",
                "review_year": review.year if review else "",
            }
        )

    def clean(self) -> dict:
        data = super().clean()
        self.review_on = None
        if dates.given(data, "review"):
            self.review_on = dates.read_date(data, "review", "the date of the plan's review", self)
        return data

    def values(self) -> dict:
        return {
            "plan": self.cleaned_data["plan"],
            "visit_months": self.cleaned_data["visit_months"],
            "review_on": self.review_on,
        }
