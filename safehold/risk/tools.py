"""Risk tools as data: the file format of a risk identification checklist, and its score.

A risk tool, DASH RIC first, is a TOML file: its sections and questions, the answers an
officer may record, the points each answer scores, the score at which each risk level
starts, and the level at which the score alone recommends a MARAC referral. Safehold's
own tools are in `safehold/risk/bundled/`; a provider adds its own by dropping a file
into `settings.SAFEHOLD_RISK_TOOLS_DIR`, with no code change. A file with any problem is
refused, every problem named by its key path, as a policy file is
(`safehold.policy.loader`), and `tool_problems()` lets start-up refuse to run on one.

No threshold is written here: every number comes from the tool's file. The docstrings of
the models and fields are the file reference in `docs/risk-tools.md`.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationError,
    model_validator,
)

from safehold.policy.setting_types import AS_TUPLE
from safehold.policy.toml_files import (
    FileProblems,
    content_version,
    key_error,
    parse_document,
    read_file,
    validation_problems,
)
from safehold.policy.vocabulary import RISK_LEVELS, RiskLevel

BUNDLED_DIR = Path(__file__).resolve().parent / "bundled"

# The answer every tool must offer, so that "don't know" is always possible.
UNKNOWN = "unknown"

ToolId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$", max_length=40)]
Id = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Paragraph = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1200)]
WebAddress = Annotated[str, StringConstraints(pattern=r"^https://\S+$", max_length=300)]
Points = Annotated[int, Field(ge=0, le=100)]
Score = Annotated[int, Field(ge=0, le=10_000)]


class ToolModel(BaseModel):
    """Tables of a tool file: unknown keys refused, types strict, the result immutable."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, strict=True, use_attribute_docstrings=True
    )


class Answer(ToolModel):
    """One answer an officer may record for any question of the tool."""

    label: Line
    """What the officer sees and says, such as "Yes" or "Don't know"."""

    points: Points
    """What this answer adds to the score: a whole number from 0 to 100. `unknown`
    scores 0."""


def _unknown_is_offered_and_scores_nothing(answers: dict[str, Answer]) -> dict[str, Answer]:
    if UNKNOWN not in answers:
        raise key_error(UNKNOWN, 'missing: every tool must offer "don\'t know" as `unknown`')
    if answers[UNKNOWN].points != 0:
        raise key_error(f"{UNKNOWN}.points", 'must be 0: "don\'t know" never counts')
    return answers


class Question(ToolModel):
    """One question, read aloud by the officer."""

    id: Id
    """Unique across the whole tool, such as `q1`: answers are recorded, and sent to the
    API, under it. Lower-case letters, digits and `_`."""

    text: Paragraph
    """The question, in words an officer can read aloud to the survivor."""

    help: Paragraph | None = None
    """Optional guidance for the officer: why the question matters, what counts as yes."""


# Words the assessment's pages use after the assessment's id, so no section may have them.
RESERVED_SECTION_IDS = ("finish", "resume")


class Section(ToolModel):
    """A group of questions asked together, shown as one page of the assessment."""

    id: Id
    """Unique across the tool's sections, such as `current_situation`. Not `finish` or
    `resume`: the assessment's pages use those words."""

    title: Line
    """The section's heading."""

    intro: Paragraph | None = None
    """Optional words shown, or said, before the section's questions."""

    questions: Annotated[tuple[Question, ...], AS_TUPLE, Field(min_length=1)]
    """The section's questions, in the order they are asked (`[[sections.questions]]`).
    At least one."""


def _ids_unique(sections: tuple[Section, ...]) -> tuple[Section, ...]:
    """No two sections, and no two questions anywhere in the tool, share an id."""
    sections_seen: dict[str, int] = {}
    questions_seen: dict[str, str] = {}
    for number, section in enumerate(sections):
        if section.id in RESERVED_SECTION_IDS:
            raise key_error(f"[{number}].id", f"{section.id!r} is kept for the assessment's pages")
        if section.id in sections_seen:
            first = f"sections[{sections_seen[section.id]}]"
            raise key_error(f"[{number}].id", f"{section.id!r} is already the id of {first}")
        sections_seen[section.id] = number
        for index, question in enumerate(section.questions):
            where = f"[{number}].questions[{index}]"
            if question.id in questions_seen:
                first = f"sections{questions_seen[question.id]}"
                raise key_error(f"{where}.id", f"{question.id!r} is already the id of {first}")
            questions_seen[question.id] = where
    return sections


class Levels(ToolModel):
    """The score at which each risk level starts. A score takes the highest level whose
    start it has reached."""

    standard: Score = 0
    """Where standard risk starts: always 0, so that every score has a level."""

    medium: Score | None = None
    """Where medium risk starts: above `standard`, below `high`. Leave out for a tool
    with no medium level."""

    high: Score
    """Where high risk starts: above `medium` (or `standard`), and no more than the tool's
    highest possible score. Required."""

    @model_validator(mode="after")
    def _increasing(self) -> Levels:
        if self.standard != 0:
            raise key_error("standard", f"must be 0, not {self.standard}: every score has a level")
        if self.medium is not None and self.medium <= self.standard:
            raise key_error("medium", f"must be above standard ({self.standard})")
        below, start = ("medium", self.medium) if self.medium is not None else ("standard", 0)
        if self.high <= start:
            raise key_error("high", f"must be above {below} ({start})")
        return self

    def start_of(self, level: RiskLevel) -> int | None:
        """The score at which `level` starts, or None when the tool has no such level."""
        start: int | None = getattr(self, level)
        return start


class Marac(ToolModel):
    """When the score alone recommends a MARAC referral."""

    visible_high_risk_level: Literal["medium", "high"] = "high"
    """A score at this risk level or above gives the MARAC reason `visible_high_risk`:
    `high` or `medium` (when the tool has a medium level)."""


class RiskTool(ToolModel):
    """A risk identification checklist, as Safehold asks, scores and records it.

    `version_hash` (a hash of the file) and `source` (its path) are set by the loader;
    they are not keys of the file.
    """

    id: ToolId
    """The tool's id, such as `dash-ric`: lower-case letters and digits, words joined by
    `-`. Assessments and the API name the tool by it. Unique across bundled and provider
    tools. Required."""

    name: Line
    """The tool's name as practitioners know it. Required."""

    version: Line
    """The version of the checklist and of this file's wording, in the tool's own terms,
    such as "2024.1". Required."""

    description: Paragraph
    """What the tool is for, who should use it and what training they need. Required."""

    source_url: WebAddress
    """An `https://` link to the official checklist the tool follows. Required."""

    guidance_url: WebAddress
    """An `https://` link to the official guidance on using it. Required."""

    answers: Annotated[dict[Id, Answer], AfterValidator(_unknown_is_offered_and_scores_nothing)]
    """The answers an officer may record for every question, in the order they are
    offered, keyed by id: `[answers.yes]`, `[answers.unknown]`. Must include `unknown`,
    scoring 0, so that "don't know" is always an answer. Required."""

    sections: Annotated[
        tuple[Section, ...], AS_TUPLE, Field(min_length=1), AfterValidator(_ids_unique)
    ]
    """The sections, in the order they are asked (`[[sections]]`). At least one."""

    levels: Levels
    """The score at which each risk level starts (`[levels]`). Required."""

    marac: Marac = Marac()
    """When the score alone recommends a MARAC referral (`[marac]`)."""

    _version_hash: str = PrivateAttr(default="")
    _source: Path | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _levels_reachable(self) -> RiskTool:
        most = max_score(self)
        if self.levels.high > most:
            raise key_error(
                "levels.high",
                f"{self.levels.high} can never be reached: the most this tool can score is {most}",
            )
        if self.levels.start_of(self.marac.visible_high_risk_level) is None:
            raise key_error(
                "marac.visible_high_risk_level", "the tool has no medium level in [levels]"
            )
        return self

    @property
    def version_hash(self) -> str:
        """A hash of the file's bytes; every assessment records the one it was made with."""
        return self._version_hash

    @property
    def source(self) -> Path | None:
        """The file the tool was loaded from."""
        return self._source

    def with_identity(self, *, version_hash: str, source: Path | None) -> RiskTool:
        """This tool marked with the file it came from (used by the loader)."""
        self._version_hash = version_hash
        self._source = source
        return self


class RiskToolFileError(Exception):
    """A risk tool file that cannot be used. `.problems` lists each problem as a sentence
    that starts with the key's dotted path (or the file, when it is unreadable)."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        listed = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"The risk tool file {source} cannot be used:\n{listed}")


class UnknownRiskTool(LookupError):
    """No risk tool has this id."""

    def __init__(self, tool_id: str, known: list[str]) -> None:
        self.tool_id = tool_id
        super().__init__(f"no risk tool called {tool_id!r} (known: {', '.join(known)})")


class UnknownSection(KeyError):
    """The tool has no section with this id."""

    def __init__(self, tool_id: str, section_id: str) -> None:
        self.section_id = section_id
        self.message = f"{tool_id} has no section {section_id!r}"
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message  # KeyError would show its message in quotes.


# Reading the tools.


def load_tool_file(path: str | Path) -> RiskTool:
    """The tool in the TOML file at `path`, or `RiskToolFileError` listing every problem."""
    path = Path(path)
    try:
        raw = read_file(path)
    except FileProblems as error:
        raise RiskToolFileError(str(path), error.problems) from None
    return _parse(raw, source=str(path), path=path)


def parse_tool(text: str, *, source: str = "<text>") -> RiskTool:
    """A tool from TOML text, validated exactly as a file is (useful in tests)."""
    return _parse(text.encode("utf-8"), source=source, path=None)


def available_tools() -> dict[str, RiskTool]:
    """Every tool by id: the bundled ones, then the provider's, read once.

    Raises `RiskToolFileError` for the first file with a problem: Safehold never runs on
    a broken tool. Tests that change the setting call `clear_available_tools()`.
    """
    tools, errors = _every_tool()
    if errors:
        raise RiskToolFileError(errors[0].source, errors[0].problems)
    return dict(tools)


def clear_available_tools() -> None:
    """Forget the tools read, so the next `available_tools()` reads the files again."""
    _every_tool.cache_clear()


def tool_by_id(tool_id: str) -> RiskTool:
    """The tool called `tool_id`, or `UnknownRiskTool`."""
    tools = available_tools()
    if tool_id not in tools:
        raise UnknownRiskTool(tool_id, sorted(tools))
    return tools[tool_id]


def tool_problems() -> list[str]:
    """Every problem in every tool file, each starting with the file's path; empty when
    all load. Reads the files afresh and never raises: for start-up checks."""
    _, errors = _read_every_tool()
    return [
        problem if problem.startswith(error.source) else f"{error.source}: {problem}"
        for error in errors
        for problem in error.problems
    ]


def tool_files() -> list[Path]:
    """The files tools are read from: the bundled ones, then the provider's, each in
    name order. A provider folder that does not exist has none."""
    files, _ = _tool_files()
    return files


@functools.cache
def _every_tool() -> tuple[dict[str, RiskTool], list[RiskToolFileError]]:
    return _read_every_tool()


def _read_every_tool() -> tuple[dict[str, RiskTool], list[RiskToolFileError]]:
    files, errors = _tool_files()
    tools: dict[str, RiskTool] = {}
    for path in files:
        try:
            tool = load_tool_file(path)
            _check_id_is_new(tool, tools)
        except RiskToolFileError as error:
            errors.append(error)
            continue
        tools[tool.id] = tool
    return tools, errors


def _tool_files() -> tuple[list[Path], list[RiskToolFileError]]:
    bundled = sorted(BUNDLED_DIR.glob("*.toml"))
    folder = _provider_folder()
    if folder is None or not folder.exists():
        return bundled, []
    if not folder.is_dir():
        problem = "not a folder: SAFEHOLD_RISK_TOOLS_DIR must name a folder of .toml files"
        return bundled, [RiskToolFileError(str(folder), [problem])]
    try:
        provided = sorted(path for path in folder.glob("*.toml") if path.is_file())
    except OSError as error:
        return bundled, [RiskToolFileError(str(folder), [f"cannot read ({error.strerror})"])]
    return [*bundled, *provided], []


def _provider_folder() -> Path | None:
    from django.conf import settings  # The only place risk tools touch Django.

    folder = getattr(settings, "SAFEHOLD_RISK_TOOLS_DIR", None)
    return Path(folder) if folder else None


def _check_id_is_new(tool: RiskTool, tools: Mapping[str, RiskTool]) -> None:
    earlier = tools.get(tool.id)
    if earlier is None:
        return
    if earlier.source is not None and earlier.source.parent == BUNDLED_DIR:
        taken = "the id of a tool bundled with Safehold; give your own tool its own id"
    else:
        taken = f"already the id of the tool in {earlier.source}"
    raise RiskToolFileError(str(tool.source), [f"id: {tool.id!r} is {taken}"])


def _parse(raw: bytes, *, source: str, path: Path | None) -> RiskTool:
    try:
        tool = RiskTool.model_validate(parse_document(raw, source=source))
    except FileProblems as error:
        raise RiskToolFileError(source, error.problems) from None
    except ValidationError as error:
        raise RiskToolFileError(source, validation_problems(error, RiskTool, noun="key")) from None
    return tool.with_identity(version_hash=content_version(raw), source=path)


# Reading one tool.


def section_ids(tool: RiskTool) -> tuple[str, ...]:
    """The tool's sections' ids, in the order they are asked."""
    return tuple(section.id for section in tool.sections)


def section_by_id(tool: RiskTool, section_id: str) -> Section:
    """The section called `section_id`, or `UnknownSection`."""
    for section in tool.sections:
        if section.id == section_id:
            return section
    raise UnknownSection(tool.id, section_id)


def section_after(tool: RiskTool, section_id: str) -> str | None:
    """The id of the section asked after `section_id`, or None after the last one."""
    ids = section_ids(tool)
    if section_id not in ids:
        raise UnknownSection(tool.id, section_id)
    position = ids.index(section_id) + 1
    return ids[position] if position < len(ids) else None


def question_ids(tool: RiskTool) -> tuple[str, ...]:
    """Every question's id, section by section, in the order they are asked."""
    return tuple(question.id for section in tool.sections for question in section.questions)


def numbered_questions(tool: RiskTool) -> tuple[tuple[int, Section, Question], ...]:
    """Every question with its printed number (1, 2, ... across the whole tool, as the
    checklist numbers them) and its section, in the order they are asked."""
    pairs = [(section, question) for section in tool.sections for question in section.questions]
    return tuple((number, s, q) for number, (s, q) in enumerate(pairs, start=1))


def question_numbers(tool: RiskTool) -> dict[str, int]:
    """Each question's printed number by its id: `q7` is 7 in DASH RIC."""
    return {question.id: number for number, _, question in numbered_questions(tool)}


def section_before(tool: RiskTool, section_id: str) -> str | None:
    """The id of the section asked before `section_id`, or None before the first one."""
    ids = section_ids(tool)
    if section_id not in ids:
        raise UnknownSection(tool.id, section_id)
    position = ids.index(section_id)
    return ids[position - 1] if position > 0 else None


def first_unanswered_section(tool: RiskTool, answers: Mapping[str, str]) -> str | None:
    """The id of the first section with a question not yet answered, or None when every
    question has an answer ("Don't know" is an answer)."""
    for section in tool.sections:
        if any(question.id not in answers for question in section.questions):
            return section.id
    return None


def answer_ids(tool: RiskTool) -> tuple[str, ...]:
    """The answers an officer may record, in the order they are offered."""
    return tuple(tool.answers)


def answer_options(tool: RiskTool) -> list[tuple[str, str]]:
    """The answers as (id, label) pairs in the order they are offered, for a form."""
    return [(answer_id, answer.label) for answer_id, answer in tool.answers.items()]


def max_score(tool: RiskTool) -> int:
    """The highest score the tool can give: every question at its best-scoring answer."""
    best = max(answer.points for answer in tool.answers.values())
    return best * len(question_ids(tool))


# Scoring.


def score(tool: RiskTool, answers: Mapping[str, str]) -> int:
    """The sum of the points of the answers given. A question left out scores nothing,
    as "don't know" does. A question or answer the tool does not have is a ValueError:
    check what a person sent before scoring it."""
    strangers = sorted(set(answers) - set(question_ids(tool)))
    if strangers:
        raise ValueError(f"{tool.id} has no question {', '.join(strangers)}")
    total = 0
    for question_id, answer in answers.items():
        if answer not in tool.answers:
            raise ValueError(f"{question_id}: {answer!r} is not an answer of {tool.id}")
        total += tool.answers[answer].points
    return total


def level_for(tool: RiskTool, score: int) -> RiskLevel:
    """The risk level `score` reaches under the tool's thresholds."""
    reached: RiskLevel = "standard"
    for level in RISK_LEVELS:
        start = tool.levels.start_of(level)
        if start is not None and score >= start:
            reached = level
    return reached


def marac_high_risk(tool: RiskTool, score: int) -> bool:
    """Whether `score` alone recommends a MARAC referral (`visible_high_risk`)."""
    start = tool.levels.start_of(tool.marac.visible_high_risk_level)
    return start is not None and score >= start
