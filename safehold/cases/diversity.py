"""Coarse diversity bands for monitoring (the seeds' equality monitoring): few enough
values that counts compare across providers and no band singles anyone out. Every field
is optional and every one allows "prefer not to say"."""

from __future__ import annotations

from datetime import date

from safehold.errors import Refusal

PREFER_NOT = ("prefer_not_to_say", "Prefer not to say")

BANDS: dict[str, list[tuple[str, str]]] = {
    "ethnicity": [
        ("white", "White"),
        ("mixed", "Mixed or multiple ethnic groups"),
        ("asian", "Asian or Asian British"),
        ("black", "Black, Black British, Caribbean or African"),
        ("other", "Another ethnic group"),
        PREFER_NOT,
    ],
    "disability": [("yes", "Yes"), ("no", "No"), PREFER_NOT],
    "sexual_orientation": [
        ("heterosexual", "Heterosexual or straight"),
        ("gay_or_lesbian", "Gay or lesbian"),
        ("bisexual", "Bisexual"),
        ("other", "Another sexual orientation"),
        PREFER_NOT,
    ],
    "gender_identity": [
        ("same_as_registered", "The same as their sex registered at birth"),
        ("different_from_registered", "Different from their sex registered at birth"),
        PREFER_NOT,
    ],
    "religion": [
        ("none", "No religion"),
        ("christian", "Christian"),
        ("buddhist", "Buddhist"),
        ("hindu", "Hindu"),
        ("jewish", "Jewish"),
        ("muslim", "Muslim"),
        ("sikh", "Sikh"),
        ("other", "Another religion"),
        PREFER_NOT,
    ],
}

LABELS = {
    "ethnicity": "Ethnic group",
    "disability": "Disabled",
    "sexual_orientation": "Sexual orientation",
    "gender_identity": "Gender identity",
    "religion": "Religion",
}


AGE_BANDS = (
    (16, "under_16"),
    (25, "16_24"),
    (35, "25_34"),
    (45, "35_44"),
    (55, "45_54"),
    (65, "55_64"),
)
AGE_BAND_LABELS = {
    "under_16": "Under 16",
    "16_24": "16 to 24",
    "25_34": "25 to 34",
    "35_44": "35 to 44",
    "45_54": "45 to 54",
    "55_64": "55 to 64",
    "65_plus": "65 and over",
}


def age_band(born: date | None, on: date) -> str:
    """The band of the age reached on `on`; "" when the date of birth is not known."""
    if born is None:
        return ""
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    return next((band for below, band in AGE_BANDS if age < below), "65_plus")


def check(field_prefix: str, values: dict[str, str]) -> None:
    for name, value in values.items():
        allowed = [band for band, _ in BANDS[name]]
        if value and value not in allowed:
            raise Refusal(
                "unknown_diversity_value",
                f"{field_prefix}.{name} must be one of: {', '.join(allowed)}",
                field=f"{field_prefix}.{name}",
            )


def label(name: str, value: str) -> str:
    return dict(BANDS[name]).get(value, "Not asked")
