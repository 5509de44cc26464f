"""The safeguarding app's controlled vocabularies: duties, their states and decisions."""

from django.db import models


class DutyKind(models.TextChoices):
    CHILDRENS_SERVICES_REFERRAL = "childrens_services_referral", "Referral to children's services"
    NRM_REFERRAL = "nrm_referral", "NRM referral"
    DUTY_TO_NOTIFY = "duty_to_notify", "Duty to Notify"
    STRATEGY_DISCUSSION = "strategy_discussion", "Strategy discussion request"
    APPROPRIATE_ADULT = "appropriate_adult", "Appropriate Adult called"
    WELFARE_INFORMED = "welfare_informed", "Person responsible for welfare told"
    LOCAL_AUTHORITY_ACCOMMODATION = (
        "local_authority_accommodation",
        "Local-authority accommodation requested (PACE s38(6))",
    )
    OFFENDER_CONTACT = (
        "offender_contact",
        "Child living with or linked to a registered offender: referral to children's services",
    )


class State(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    DECISION_RECORDED = "decision_recorded", "Decision recorded"
    CLOSED = "closed", "Closed"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Decision(models.TextChoices):
    REASONABLE_GROUNDS_POSITIVE = "rg_positive", "Reasonable grounds: positive"
    REASONABLE_GROUNDS_NEGATIVE = "rg_negative", "Reasonable grounds: negative"
    CONCLUSIVE_GROUNDS_POSITIVE = "cg_positive", "Conclusive grounds: positive"
    CONCLUSIVE_GROUNDS_NEGATIVE = "cg_negative", "Conclusive grounds: negative"
    ACCEPTED = "accepted", "Accepted for assessment or action"
    NO_FURTHER_ACTION = "no_further_action", "No further action"
    DONE = "done", "Done"


class Delivery(models.TextChoices):
    NOT_SENT = "", "Not sent"
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    ACKNOWLEDGED = "acknowledged", "Acknowledged by the receiver"
    FAILED = "failed", "Failed"


class Disposal(models.TextChoices):
    """What a charging review is about: a charge or an out-of-court disposal with a record."""

    CHARGE = "charge", "Charge"
    CAUTION = "caution", "Caution (youth caution for a child)"
    CONDITIONAL_CAUTION = "conditional_caution", "Conditional caution (youth conditional caution)"


class ReviewDecision(models.TextChoices):
    NO_FURTHER_ACTION = "no_further_action", "No further action: treated as a victim"
    DEFER_FOR_NRM = "defer_for_nrm", "Decision deferred until the NRM decision"
    DIVERSION = "diversion", "Diversion without a criminal record (outcome 22)"
    CAUTION = "caution", "Caution"
    CONDITIONAL_CAUTION = "conditional_caution", "Conditional caution"
    CHARGE = "charge", "Charge"


# The decisions that let a disposal be recorded (each authorises only its own kind).
AUTHORISES: dict[str, str] = {
    ReviewDecision.CHARGE: Disposal.CHARGE,
    ReviewDecision.CAUTION: Disposal.CAUTION,
    ReviewDecision.CONDITIONAL_CAUTION: Disposal.CONDITIONAL_CAUTION,
}


class RecommendationStatus(models.TextChoices):
    RECOMMENDED = "recommended", "Recommended"
    ACTIONED = "actioned", "Actioned"
    DECLINED = "declined", "Declined"
