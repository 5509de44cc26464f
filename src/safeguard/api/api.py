"""The NinjaAPI instance: token auth on every operation, errors in one shape, the routes.

Errors answer {"detail": "...", "errors": [{"field", "reason"}]}: 400 a missing purpose,
401 no or a bad token, 403 an operation your role or agency may not take, 404 a record
outside your access (as if it were not there; the attempt is audited), 409 a step decided
on a version someone else has changed, 422 a record or step refused, with why.
"""

from ninja import NinjaAPI
from ninja.errors import ValidationError

from safeguard.accounts.reading import NotVisible, PurposeRequired
from safeguard.api.auth import TokenAuth
from safeguard.api.docs import ServerDocs
from safeguard.api.routes import charging, children, events, referrals
from safeguard.intake.errors import RecordingRejected
from safeguard.safeguarding.charging import ReviewError
from safeguard.safeguarding.states import ConflictError, TransitionError

api = NinjaAPI(
    title="safeguard",
    version="1",
    description=(
        "Record events, read a child's record, act on referrals and submit charging "
        "reviews, under the same access policy and audit as the pages. Authenticate with "
        "`Authorization: Bearer <token>` (an administrator creates tokens with "
        "`safeguard api-token create`)."
    ),
    auth=TokenAuth(),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
    docs=ServerDocs(),
)
api.add_router("/events", events.router, tags=["events"])
api.add_router("/children", children.router, tags=["children"])
api.add_router("/referrals", referrals.router, tags=["referrals"])
api.add_router("/charging-reviews", charging.router, tags=["charging reviews"])


def _error(request, status: int, detail: str, errors=()):
    return api.create_response(
        request, {"detail": detail, "errors": [dict(e) for e in errors]}, status=status
    )


@api.exception_handler(ValidationError)
def _invalid(request, exc: ValidationError):
    problems = []
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", ())]
        if loc[:1] in (["body"], ["query"], ["path"]):
            loc = loc[1:]
        if loc[:1] == ["payload"]:
            loc = loc[1:]
        problems.append({"field": ".".join(loc), "reason": err.get("msg", "invalid")})
    return _error(request, 422, "the request was refused; nothing was stored", problems)


@api.exception_handler(RecordingRejected)
def _rejected(request, exc: RecordingRejected):
    problems = [{"field": e.field, "reason": e.reason} for e in exc.errors]
    return _error(request, 422, "the record was refused; nothing was stored", problems)


@api.exception_handler(NotVisible)
def _not_visible(request, exc: NotVisible):
    return _error(request, 404, "not found")


@api.exception_handler(PurposeRequired)
def _purpose(request, exc: PurposeRequired):
    return _error(
        request, 400, f"{exc}: give ?purpose=", [{"field": "purpose", "reason": str(exc)}]
    )


@api.exception_handler(ConflictError)
def _conflict(request, exc: ConflictError):
    return _error(request, 409, str(exc))


@api.exception_handler(TransitionError)
def _transition(request, exc: TransitionError):
    return _error(request, 422, str(exc))


@api.exception_handler(ReviewError)
def _review(request, exc: ReviewError):
    return _error(request, 422, str(exc))
