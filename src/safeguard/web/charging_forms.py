"""The charging review form: the staged questions of the CPS guidance, as a Django form.

Each question is answered yes or no (nothing is assumed); whether the answers, the decision
and its rationale hold together is the domain's question (safeguarding.charging.check_answers),
asked here so that its answer is shown beside the field it concerns, with the others.
"""

from django import forms

from safeguard.safeguarding import charging, schedule4
from safeguard.safeguarding.vocabulary import Disposal, ReviewDecision

YES_NO = (("yes", "Yes"), ("no", "No"))

# The staged questions, in the order the guidance asks them:
# (field, stage, question, hint, the error when it is not answered).
QUESTIONS = (
    (
        "reason_to_believe_victim",
        "Stage 1",
        "Is there reason to believe the child is a victim of trafficking, slavery or exploitation?",
        "The indicators and the NRM referral beside this form are evidence of it. The "
        "threshold is reason to believe, not proof.",
        "Select yes if there is reason to believe the child is a victim, or no if not",
    ),
    (
        "duress",
        "Stage 2",
        "Is there clear evidence of a credible defence of duress (compulsion)?",
        "For a child no compulsion needs to be shown for the s45 defence: answer for duress "
        "at common law.",
        "Select yes if there is clear evidence of duress, or no if not",
    ),
    (
        "under_18_at_offence",
        "Stage 3: the s45(4) defence",
        "Was the child under 18 when the act was done?",
        "",
        "Select yes if the child was under 18 when the act was done, or no if not",
    ),
    (
        "direct_consequence",
        "Stage 3: the s45(4) defence",
        "Was the act done as a direct consequence of being, or having been, a victim of "
        "slavery or relevant exploitation?",
        "",
        "Select yes if the act was a direct consequence of the exploitation, or no if not",
    ),
    (
        "reasonable_person",
        "Stage 3: the s45(4) defence",
        "Would a reasonable person in the same situation, with the child's relevant "
        "characteristics, have done the act?",
        "Relevant characteristics: age, sex and any physical or mental illness or disability.",
        "Select yes if a reasonable person in the same situation would have done the act, "
        "or no if not",
    ),
    (
        "public_interest",
        "Stage 4",
        "Is a prosecution (or a caution) in the public interest?",
        "A charge or caution needs yes here.",
        "Select yes if a prosecution or caution is in the public interest, or no if not",
    ),
)
ANSWERS = tuple(name for name, *_ in QUESTIONS)
# The fields in the order the page shows them (the error summary lists them so): Schedule 4
# is asked with stage 3, after the s45(4) elements.
ORDER = (
    "proposed",
    "offence",
    "reason_to_believe_victim",
    "note_reason_to_believe_victim",
    "duress",
    "note_duress",
    "under_18_at_offence",
    "note_under_18_at_offence",
    "direct_consequence",
    "note_direct_consequence",
    "reasonable_person",
    "note_reasonable_person",
    "schedule_4",
    "public_interest",
    "note_public_interest",
    "decision",
    "rationale",
)

# Where each of the domain's refusals is shown: the field it concerns (by words it uses).
_REFUSALS = (
    ("public interest", "public_interest"),
    ("rationale", "rationale"),
    ("schedule 4", "schedule_4"),
    ("proposed disposal", "proposed"),
)


def _yes(value: str) -> bool:
    return value == "yes"


def _radios(choices, error: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        choices=choices, widget=forms.RadioSelect, error_messages={"required": error}
    )


def _yes_no(error: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        choices=YES_NO, coerce=_yes, widget=forms.RadioSelect, error_messages={"required": error}
    )


class ReviewForm(forms.Form):
    proposed = _radios(Disposal.choices, "Select the disposal being considered")
    offence = forms.CharField(
        max_length=300,
        error_messages={
            "required": "Enter the offence",
            "max_length": "The offence must be 300 characters or fewer",
        },
    )
    schedule_4 = forms.ChoiceField(required=False, choices=())
    decision = _radios(ReviewDecision.choices, "Select the decision")
    rationale = forms.CharField(
        max_length=5000,
        widget=forms.Textarea,
        error_messages={
            "required": "Enter the rationale for the decision",
            "max_length": "The rationale must be 5,000 characters or fewer",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, _, _, _, error in QUESTIONS:
            self.fields[name] = _yes_no(error)
            self.fields[f"note_{name}"] = forms.CharField(
                required=False,
                max_length=2000,
                widget=forms.Textarea,
                error_messages={"max_length": "A note must be 2,000 characters or fewer"},
            )
        self.fields["schedule_4"].choices = [
            ("", "Not listed in Schedule 4"),
            *schedule4.choices(),
        ]

    def answers(self) -> charging.Answers:
        """The answers given (call once the form is valid)."""
        data = self.cleaned_data
        notes = {name: data[f"note_{name}"].strip() for name in ANSWERS}
        return charging.Answers(
            **{name: data[name] for name in ANSWERS},
            schedule_4=data["schedule_4"],
            notes={k: v for k, v in notes.items() if v} or None,
        )

    def clean(self):
        data = super().clean()
        if not self.errors:
            try:
                charging.check_answers(self.answers(), data["decision"], data["rationale"])
            except charging.ReviewError as exc:
                self.refused(exc)
        return data

    def refused(self, exc: charging.ReviewError) -> None:
        """Show the domain's refusal beside the field it concerns (the decision otherwise)."""
        message = str(exc)
        field = next((f for words, f in _REFUSALS if words in message.lower()), "decision")
        self.add_error(field, message[:1].upper() + message[1:])

    def questions(self) -> list[dict]:
        """The staged questions with their bound fields, in order, for the template."""
        return [
            {
                "field": self[name],
                "note": self[f"note_{name}"],
                "stage": stage,
                "question": question,
                "hint": hint,
            }
            for name, stage, question, hint, _ in QUESTIONS
        ]

    def summary(self) -> list[tuple[str, str]]:
        """(the id of the field's first input, message) of each error, in the page's order."""
        return [(name, error) for name in ORDER for error in self.errors.get(name, ())]
