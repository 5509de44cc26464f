"""The roles a user can hold (DESIGN.md, access and audit)."""

from django.db import models


class Role(models.TextChoices):
    OFFICER = "officer", "Police officer"
    CUSTODY_SERGEANT = "custody_sergeant", "Custody sergeant"
    SAFEGUARDING_LEAD = "safeguarding_lead", "Safeguarding lead"
    MASH_WORKER = "mash_worker", "MASH worker (children's services)"
    SCHOOL_SAFEGUARDING_LEAD = "school_safeguarding_lead", "School designated safeguarding lead"
    ANALYST = "analyst", "Intelligence analyst"
    OFFENDER_MANAGER = "offender_manager", "Offender manager"
    SUPERVISOR = "supervisor", "Supervisor"
    INSPECTOR = "inspector", "Inspector"
    ADMINISTRATOR = "administrator", "Administrator"
