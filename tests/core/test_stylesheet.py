"""Every message level a page can show has its own look in the project stylesheet."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.messages import constants
from django.contrib.staticfiles import finders

SHOWN_LEVELS = [
    tag for level, tag in constants.DEFAULT_TAGS.items() if level >= constants.INFO
]  # DEBUG messages are below the default MESSAGE_LEVEL and never reach a page


def stylesheet() -> str:
    return Path(finders.find("dtks/css/dtks.css")).read_text(encoding="utf-8")


@pytest.mark.parametrize("tag", SHOWN_LEVELS)
def test_each_message_level_has_a_msg_style(tag: str) -> None:
    tag = getattr(settings, "MESSAGE_TAGS", {}).get(getattr(constants, tag.upper()), tag)
    assert re.search(rf"^\.msg\.{tag} \{{[^}}]*background:", stylesheet(), re.M), tag


def test_a_warning_does_not_look_like_a_success() -> None:
    rules = dict(re.findall(r"^(\.msg(?:\.\w+)?) \{([^}]*)\}", stylesheet(), re.M))
    assert rules[".msg.warning"] != rules[".msg.success"]
    assert "--warn-bg" in rules[".msg.warning"]
