"""A select's options written in Python, for web/includes/select.html (issue 19): a
`{% for choice in field %}` loop costs a few template nodes an option, and the longest
selects (a director's choice of team on the monitoring report, 400 teams at a million
cases; the assign page's choice of every officer) spent most of their rendering there.
Which options there are and which is selected stays Django's decision (the widget's own
`optgroups`, what the loop's subwidgets came from); every value and label is escaped by
web/rows.py `shown`, as `{{ }}` did."""

from __future__ import annotations

from django import template
from django.forms import BoundField
from django.template.context import Context
from django.utils.safestring import SafeString, mark_safe

from safehold.web.rows import written

register = template.Library()

OPTION = '<option value="{}"{}>{}</option>'
SELECTED = mark_safe(" selected")  # markup, not a value


@register.simple_tag(takes_context=True)
def options(context: Context, field: BoundField) -> SafeString:
    """`field`'s options, flat as the loop wrote them (a group's options in turn, with no
    `<optgroup>`), the chosen one marked `selected`."""
    widget = field.field.widget
    groups = widget.optgroups(field.html_name, widget.format_value(field.value()))
    rows = (
        (option["value"], SELECTED if option["selected"] else "", option["label"])
        for _name, group, _index in groups
        for option in group
    )
    return written(OPTION, rows, context, between="")
