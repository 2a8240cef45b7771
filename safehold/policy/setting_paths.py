"""Dotted setting paths (`closure.letters_to`): which exist, and every one listed.

The loader names problems by these paths, the `quotes` table is keyed by them, refusals
report them as `policy_rule`, and the docs list them. They are read off the schema's
models, so a new setting is known everywhere as soon as it is declared.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
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
    table cannot quote itself, nor the list of settings that are the provider's to set.
    """
    model: type[BaseModel] | None = root
    for part in setting.split("."):
        field = model.model_fields.get(part) if model is not None else None
        if field is None or (model is root and part in ("quotes", "provider_to_set")):
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


def is_one_value(model: type[BaseModel]) -> bool:
    """A table written as one value, every part of it required, such as `response_target
    = { kind = "clock_hours", amount = 24 }`: one setting, not a table of settings."""
    return all(field.is_required() for field in model.model_fields.values())


def iter_whole_settings(
    model: type[BaseModel], prefix: str = "", *, skip: Sequence[str] = ()
) -> Iterator[str]:
    """The path of every setting below `model` as a provider decides it, depth first:
    an open table (`agencies`) and a value written as one table (`response_target`,
    `appeals.stage_1`) are one setting each, where `iter_settings` lists their parts.
    The settings whose paths are named in `skip` (`id`, `provider.name`) are left out."""
    for name, field in model.model_fields.items():
        path = f"{prefix}{name}"
        if path in skip:
            continue
        inner = inner_model(field.annotation)
        if inner is None or is_open_table(field.annotation) or is_one_value(inner):
            yield path
        else:
            yield from iter_whole_settings(inner, prefix=f"{path}.", skip=skip)


def settings_under(settings: Sequence[str], path: str) -> tuple[str, ...]:
    """The settings among `settings` that `path` names: the setting itself, or every
    setting of the table it names (`working_hours` names `working_hours.start` and
    `working_hours.end`)."""
    return tuple(setting for setting in settings if _within(setting, path))


def whole_setting(settings: Sequence[str], path: str) -> str | None:
    """The setting among `settings` that `path` is or is a part of: `response_target.kind`
    is part of `response_target`, `agencies.police` of `agencies`."""
    return next((setting for setting in settings if _within(path, setting)), None)


def quote_on(quotes: Mapping[str, str], setting: str) -> str | None:
    """The source document's words for `setting`: its own quote, else the first quote on
    one of its parts (`agencies.national_helpline` for `agencies`). A quote on the table
    a setting sits in (`perpetrator_interview`) does not quote the setting: it is shown
    beside the table's rules, but each setting is the provider's only by its own words."""
    if setting in quotes:
        return quotes[setting]
    return next((words for key, words in quotes.items() if _within(key, setting)), None)


def _within(path: str, table: str) -> bool:
    return path == table or path.startswith(f"{table}.")


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
