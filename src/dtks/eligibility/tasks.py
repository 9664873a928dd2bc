"""Background assessment after the rule set changed: takes a user id, calls the action."""

from __future__ import annotations

from django_tasks import task

from dtks.accounts.models import User

from . import actions


@task()
def assess_registry(user_id: int | None = None) -> dict[str, object]:
    """The whole registry judged against the rule set now in force."""
    by = User.objects.filter(pk=user_id).first() if user_id else None
    return actions.assess(by=by).as_dict()
