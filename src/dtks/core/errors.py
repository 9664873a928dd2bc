"""Domain errors raised by actions; views turn them into Indonesian messages."""

from __future__ import annotations


class DomainError(Exception):
    """An action refused: `message` is user-facing (translated), `field` names the input."""

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


class PermissionDeniedError(DomainError):
    """The acting user's role does not include the permission the action needs."""
