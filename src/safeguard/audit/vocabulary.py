"""The audit app's controlled vocabulary: what an entry in the log records.

A code is never renamed once entries carry it (they are hashed into the chain): add a new
one and keep the old.
"""

from django.db import models


class Action(models.TextChoices):
    READ = "read", "Read"
    WRITE = "write", "Write"
    EXPORT = "export", "Export"
    DENIED = "denied", "Denied"
    SIGN_IN = "sign_in", "Signed in"
    SIGN_OUT = "sign_out", "Signed out"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"


# What "who looked at this child" shows: every sight of a person's data, and every attempt.
LOOKED_AT = (Action.READ, Action.EXPORT, Action.DENIED)
