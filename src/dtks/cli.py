"""The `dtks` console script: Django's management commands with dtks's settings preset."""

from __future__ import annotations

import os
import sys

DEV_SERVER_COMMANDS = {"demo", "runserver"}


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dtks.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "dtks"
    if len(args) > 1 and args[1] in DEV_SERVER_COMMANDS:
        # The demo and the development server run on http://127.0.0.1 with DEBUG on, unless
        # the environment says otherwise; production runs under gunicorn with DEBUG off.
        os.environ.setdefault("DEBUG", "1")
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
