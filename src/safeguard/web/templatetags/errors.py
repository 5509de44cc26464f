"""The errors of a form as web/_error_summary.html lists them: {% load errors %}."""

from django import template

register = template.Library()


@register.filter
def error_links(form) -> list[tuple[str, str]]:
    """Return (the field's id, message) for each error of the form's fields, in their order."""
    return [(field.auto_id, error) for field in form for error in field.errors]
