"""web/rows.py `shown`: each value written as `{{ value }}` writes it, fast paths and all."""

from __future__ import annotations

from datetime import date

import pytest
from django.template import Context, Template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from safehold.web.rows import shown

SCRIPT = "<script>alert('x') & \"y\"</script>"


@pytest.mark.parametrize(
    "value",
    [
        SCRIPT,
        "plain",
        "",
        mark_safe("<b>kept</b>"),
        1234567,
        -5,
        True,
        None,
        2.5,
        date(2026, 4, 1),
        gettext_lazy("Lazy <text>"),
    ],
    ids=repr,
)
@pytest.mark.parametrize("autoescape", [True, False])
def test_shown_writes_what_the_template_writes(value: object, autoescape: bool) -> None:
    context = Context({"value": value}, autoescape=autoescape)
    assert shown(value, context) == Template("{{ value }}").render(context)


def test_plain_text_is_escaped_and_safe_markup_kept() -> None:
    context = Context()
    escaped = "&lt;script&gt;alert(&#x27;x&#x27;) &amp; &quot;y&quot;&lt;/script&gt;"
    assert shown(SCRIPT, context) == escaped
    assert shown(mark_safe("<b>kept</b>"), context) == "<b>kept</b>"
