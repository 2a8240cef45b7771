"""Reading a policy file: a bundled policy's id or a path in, a valid `Policy` out.

Anything wrong with the file raises one exception, `PolicyFileError`, listing every
problem found, each naming the setting by its dotted path, so that `safehold serve`,
`safehold init` and `safehold policy check` can stop with a message a provider can act
on. The application never runs on a half-valid policy.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from safehold.policy.schema import Policy
from safehold.policy.setting_paths import table_keys

BUNDLED_DIR = Path(__file__).resolve().parent / "bundled"

# What pydantic calls a type, in words a policy writer knows from TOML.
_TOML_TYPE_NAMES = {
    bool: "a true/false value",
    int: "a whole number",
    float: "a decimal number",
    str: "text",
    list: "a list",
    dict: "a table",
}
_EXPECTED = {
    "bool_type": "true or false",
    "int_type": "a whole number",
    "string_type": "text in quotes",
    "date_type": "a date such as 2027-04-01",
    "time_type": 'a time such as "17:00"',
    "tuple_type": 'a list such as ["a", "b"]',
    "list_type": 'a list such as ["a", "b"]',
    "dict_type": "a table",
    "model_type": "a table",
    "model_attributes_type": "a table",
}


class PolicyFileError(Exception):
    """A policy file that cannot be used. `.problems` lists each problem as a sentence
    that starts with the setting's dotted path (or the file, when it is unreadable)."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        listed = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"The policy file {source} cannot be used:\n{listed}")


def bundled_policy_ids() -> tuple[str, ...]:
    """The ids of the policies shipped with Safehold: default, wha, whg, ..."""
    return tuple(sorted(path.stem for path in BUNDLED_DIR.glob("*.toml")))


def bundled_policy_path(policy_id: str) -> Path:
    return BUNDLED_DIR / f"{policy_id}.toml"


def load_policy(ref: str) -> Policy:
    """The policy named by `ref`: a bundled policy's id, or a path to a TOML file."""
    if ref in bundled_policy_ids():
        return _load_file(bundled_policy_path(ref))
    path = Path(ref)
    if not path.exists() and path.suffix != ".toml" and "/" not in ref:
        known = ", ".join(bundled_policy_ids())
        raise PolicyFileError(
            ref, [f"no bundled policy called {ref!r} (bundled: {known}) and no such file"]
        )
    return _load_file(path)


def check_policy_file(path: str | Path) -> list[str]:
    """Every problem with the policy file at `path`; empty when it is valid."""
    try:
        _load_file(Path(path))
    except PolicyFileError as error:
        return error.problems
    return []


def parse_policy(text: str, *, source: str = "<text>") -> Policy:
    """A policy from TOML text, validated exactly as a file is (useful in tests)."""
    return _parse(text.encode("utf-8"), source=source, path=None)


@functools.cache
def active_policy() -> Policy:
    """The policy this installation runs under: `settings.SAFEHOLD_POLICY`, loaded once.

    Tests that change the setting call `clear_active_policy()` afterwards.
    """
    from django.conf import settings  # The only place policy touches Django.

    return load_policy(getattr(settings, "SAFEHOLD_POLICY", "default"))


def clear_active_policy() -> None:
    """Forget the cached active policy, so the next `active_policy()` reads it again."""
    active_policy.cache_clear()


def _load_file(path: Path) -> Policy:
    try:
        raw = path.read_bytes()
    except OSError as error:
        problem = f"{path}: cannot read the file ({error.strerror})"
        raise PolicyFileError(str(path), [problem]) from None
    return _parse(raw, source=str(path), path=path)


def _parse(raw: bytes, *, source: str, path: Path | None) -> Policy:
    try:
        document = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise PolicyFileError(source, [f"{source}: the file is not UTF-8 text"]) from None
    except tomllib.TOMLDecodeError as error:
        raise PolicyFileError(source, [f"{source}: not valid TOML: {error}"]) from None
    try:
        policy = Policy.model_validate(document)
    except ValidationError as error:
        problems = [_describe(detail) for detail in error.errors()]
        raise PolicyFileError(source, problems) from None
    return policy.with_identity(version=policy_version(raw), source=path)


def policy_version(raw: bytes) -> str:
    """The version every case records: the first 16 hex digits of the file's SHA-256."""
    return hashlib.sha256(raw).hexdigest()[:16]


def _describe(detail: Any) -> str:
    """One pydantic error as "dotted.path: what is wrong"."""
    location = [part for part in detail["loc"] if part != "[key]"]
    kind, context = detail["type"], detail.get("ctx") or {}
    if kind == "policy_setting":
        return f"{_dotted([*location, context['setting']])}: {context['message']}"
    return f"{_dotted(location)}: {_explain(kind, detail, context, location)}"


def _explain(kind: str, detail: Any, context: dict[str, Any], location: list[Any]) -> str:
    value = detail.get("input")
    if kind == "missing":
        return "missing; this setting is required"
    if kind == "extra_forbidden":
        return "unknown setting" + _did_you_mean(location)
    if kind in _EXPECTED:
        return f"wrong type: expected {_EXPECTED[kind]}, got {_toml_type(value)} {_shown(value)}"
    if kind == "greater_than_equal":
        return f"must be {context['ge']} or more, not {_shown(value)}"
    if kind == "less_than_equal":
        return f"must be {context['le']} or less, not {_shown(value)}"
    if kind == "literal_error":
        return f"must be one of {context['expected']}, not {_shown(value)}"
    if kind == "too_short":
        return "must not be empty"
    if kind == "string_pattern_mismatch":
        return f"{value!r} is not in the expected form"
    return str(detail["msg"])


def _dotted(location: list[Any]) -> str:
    parts: list[str] = []
    for part in location:
        if isinstance(part, int):
            parts[-1] += f"[{part}]"
        elif "." in part and not part.startswith('"'):
            parts.append(f'"{part}"')
        else:
            parts.append(str(part))
    return ".".join(parts) or "(the whole file)"


def _shown(value: object) -> str:
    """A value as the policy file wrote it: `true`, not Python's `True`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


def _toml_type(value: object) -> str:
    for python_type, name in _TOML_TYPE_NAMES.items():
        if type(value) is python_type:
            return name
    return type(value).__name__


def _did_you_mean(location: list[Any]) -> str:
    known = table_keys(Policy, location[:-1])
    close = difflib.get_close_matches(str(location[-1]), known, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""
