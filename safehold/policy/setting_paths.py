"""Dotted setting paths (`closure.letters_to`): which exist, and every one listed.

The loader names problems by these paths, the `quotes` table is keyed by them, refusals
report them as `policy_rule`, and the docs list them. They are read off the schema's
models, so a new setting is known everywhere as soon as it is declared.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from pydantic import BaseModel
from pydantic_core import PydanticUndefined


@dataclass(frozen=True)
class SettingInfo:
    """One setting of the schema, for the settings reference."""

    path: str
    description: str
    required: bool
    default: object


def setting_exists(root: type[BaseModel], setting: str) -> bool:
    """Whether a dotted path such as `closure.letters_to` names a setting of `root`.

    Paths may go into the open tables (`agencies.police`, `definitions.abuse_types.fgm`)
    by any key, since which keys a provider uses there is theirs to choose. The `quotes`
    table cannot quote itself.
    """
    model: type[BaseModel] | None = root
    for part in setting.split("."):
        field = model.model_fields.get(part) if model is not None else None
        if field is None or (model is root and part == "quotes"):
            return False
        if is_open_table(field.annotation):
            return True
        model = inner_model(field.annotation)
    return True


def table_keys(root: type[BaseModel], location: Sequence[object]) -> list[str]:
    """The settings a table at `location` may hold, for suggesting a misspelt key."""
    model: type[BaseModel] | None = root
    for part in location:
        field = model.model_fields.get(str(part)) if model is not None else None
        if field is None:
            # An open table's key (such as an agency's id) leads to its value's model.
            continue
        model = inner_model(field.annotation)
    return list(model.model_fields) if model is not None else []


def inner_model(annotation: object) -> type[BaseModel] | None:
    """The settings table a field holds, looking inside `X | None` and `dict[str, X]`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in getattr(annotation, "__args__", ()):
        found = inner_model(argument)
        if found is not None:
            return found
    return None


def is_open_table(annotation: object) -> bool:
    """A table whose keys the provider chooses (the agencies, the abuse types)."""
    if getattr(annotation, "__origin__", None) is dict:
        return True
    return any(is_open_table(argument) for argument in getattr(annotation, "__args__", ()))


def iter_settings(model: type[BaseModel], prefix: str = "") -> Iterator[SettingInfo]:
    """Every setting below `model`, depth first, in declaration order."""
    for name, field in model.model_fields.items():
        path = f"{prefix}{name}"
        inner = inner_model(field.annotation)
        if inner is not None and not is_open_table(field.annotation):
            yield from iter_settings(inner, prefix=f"{path}.")
            continue
        default = field.get_default(call_default_factory=True)
        yield SettingInfo(
            path=path,
            description=field.description or "",
            required=field.is_required(),
            default=None if default is PydanticUndefined else default,
        )
