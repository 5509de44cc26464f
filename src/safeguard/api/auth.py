"""Bearer-token authentication for the API (tokens.py says who may use a token)."""

from ninja.security import HttpBearer

from safeguard.api import tokens


class TokenAuth(HttpBearer):
    """`Authorization: Bearer sg_…`: the request acts as the token's user (request.auth)."""

    def authenticate(self, request, token: str):
        user = tokens.authenticate(token)
        if user is not None:
            request.user = user  # for anything downstream that asks request.user
        return user
