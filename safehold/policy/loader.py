"""Reading a policy file: a bundled policy's id or a path in, a valid `Policy` out.

Anything wrong with the file raises one exception, `PolicyFileError`, listing every
problem found, each naming the setting by its dotted path, so that `safehold serve`,
`safehold init` and `safehold policy check` can stop with a message a provider can act
on. The application never runs on a half-valid policy.
"""

from __future__ import annotations

import functools
from pathlib import Path

from pydantic import ValidationError

from safehold.policy.schema import Policy
from safehold.policy.toml_files import (
    FileProblems,
    content_version,
    parse_document,
    read_file,
    validation_problems,
)

BUNDLED_DIR = Path(__file__).resolve().parent / "bundled"

# Settings that moved out of the policy: a file that still has one is told where it
# went, rather than only that the setting is unknown. Risk levels come from the risk
# tool's score, so the tool's file holds its thresholds (docs/risk-tools.md).
_TO_THE_RISK_TOOL = (
    "no longer a policy setting: each risk tool's file sets the scores at which its risk "
    "levels start (`[levels]` in safehold/risk/bundled/dash-ric.toml); delete this line"
)
_MOVED = {
    "marac.high_risk_score": _TO_THE_RISK_TOOL,
    "marac.medium_risk_score": _TO_THE_RISK_TOOL,
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
        raw = read_file(path)
    except FileProblems as error:
        raise PolicyFileError(str(path), error.problems) from None
    return _parse(raw, source=str(path), path=path)


def _parse(raw: bytes, *, source: str, path: Path | None) -> Policy:
    try:
        policy = Policy.model_validate(parse_document(raw, source=source))
    except FileProblems as error:
        raise PolicyFileError(source, error.problems) from None
    except ValidationError as error:
        problems = [_moved(problem) for problem in validation_problems(error, Policy)]
        raise PolicyFileError(source, problems) from None
    return policy.with_identity(version=policy_version(raw), source=path)


def policy_version(raw: bytes) -> str:
    """The version every case records: the first 16 hex digits of the file's SHA-256."""
    return content_version(raw)


def _moved(problem: str) -> str:
    """A problem about a setting that moved elsewhere, saying where it went."""
    setting, _, message = problem.partition(": ")
    if setting in _MOVED and message.startswith("unknown setting"):
        return f"{setting}: {_MOVED[setting]}"
    return problem
