"""Reading a TOML file that a schema validates, and naming each problem by its key path.

Policy files (`safehold.policy.loader`) and risk tool files (`safehold.risk.tools`) are
read the same way: the bytes are hashed for the version every record keeps, parsed as
TOML, and validated by a pydantic model that refuses unknown keys. Each problem found is
one sentence that starts with the dotted path of the key it is about
(`closure.letters_to`, `sections[1].questions[0].id`), in the words of the file's writer,
not of Python.
"""

from __future__ import annotations

import difflib
import hashlib
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticCustomError

from safehold.policy.setting_paths import table_keys

# The error type of `key_error`: a model-level check naming one of its keys.
KEY_ERROR = "file_key"

# What pydantic calls a type, in words a file's writer knows from TOML.
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


class FileProblems(Exception):
    """A file that could not be read or parsed; `.problems` says why, naming the file."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def key_error(key: str, message: str) -> PydanticCustomError:
    """An error about `key`, a path below the model that raises it, such as `end` or
    `[2].questions[0].id`.

    A model-level check cannot point pydantic at one of its fields, so it names the key
    here and `validation_problems` joins it onto the model's own path.
    """
    return PydanticCustomError(KEY_ERROR, "{key}: {message}", {"key": key, "message": message})


def read_file(path: Path) -> bytes:
    """The bytes of the file at `path`, or `FileProblems` saying why it cannot be read."""
    try:
        return path.read_bytes()
    except OSError as error:
        raise FileProblems([f"{path}: cannot read the file ({error.strerror})"]) from None


def parse_document(raw: bytes, *, source: str) -> dict[str, Any]:
    """The TOML document in `raw`, or `FileProblems` naming `source` and what is wrong."""
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise FileProblems([f"{source}: the file is not UTF-8 text"]) from None
    except tomllib.TOMLDecodeError as error:
        raise FileProblems([f"{source}: not valid TOML: {error}"]) from None
    except RecursionError:  # tomllib reads nested lists and tables by recursion
        raise FileProblems([f"{source}: lists or tables are nested too deeply"]) from None


def content_version(raw: bytes) -> str:
    """The version records keep of a file: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(raw).hexdigest()[:16]


def validation_problems(
    error: ValidationError, root: type[BaseModel], *, noun: str = "setting"
) -> list[str]:
    """Each of pydantic's errors as "dotted.path: what is wrong", where `noun` is what the
    file's writer calls a key ("setting" in a policy file)."""
    return [_describe(detail, root, noun) for detail in error.errors()]


def _describe(detail: Any, root: type[BaseModel], noun: str) -> str:
    location = [part for part in detail["loc"] if part != "[key]"]
    kind, context = detail["type"], detail.get("ctx") or {}
    if kind == KEY_ERROR:
        return f"{_joined(_dotted(location), context['key'])}: {context['message']}"
    return f"{_dotted(location) or '(the whole file)'}: {_explain(detail, root, noun, location)}"


def _explain(detail: Any, root: type[BaseModel], noun: str, location: list[Any]) -> str:
    kind, context, value = detail["type"], detail.get("ctx") or {}, detail.get("input")
    if kind == "missing":
        return f"missing; this {noun} is required"
    if kind == "extra_forbidden":
        return f"unknown {noun}" + _did_you_mean(root, location)
    if kind in _EXPECTED:
        return f"wrong type: expected {_EXPECTED[kind]}, got {_toml_type(value)} {_shown(value)}"
    if kind == "greater_than_equal":
        return f"must be {context['ge']} or more, not {_shown(value)}"
    if kind == "less_than_equal":
        return f"must be {context['le']} or less, not {_shown(value)}"
    if kind == "literal_error":
        return f"must be one of {context['expected']}, not {_shown(value)}"
    if kind in ("too_short", "string_too_short"):
        return "must not be empty"
    if kind == "string_too_long":
        return f"too long: at most {context['max_length']} characters"
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
    return ".".join(parts)


def _joined(path: str, key: str) -> str:
    """`path` and a key below it: `sections` and `[1].id` make `sections[1].id`."""
    if not path:
        return key
    return f"{path}{key}" if key.startswith("[") else f"{path}.{key}"


def _shown(value: object) -> str:
    """A value as the file wrote it: `true`, not Python's `True`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


def _toml_type(value: object) -> str:
    for python_type, name in _TOML_TYPE_NAMES.items():
        if type(value) is python_type:
            return name
    return type(value).__name__


def _did_you_mean(root: type[BaseModel], location: list[Any]) -> str:
    known = table_keys(root, location[:-1])
    close = difflib.get_close_matches(str(location[-1]), known, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""
