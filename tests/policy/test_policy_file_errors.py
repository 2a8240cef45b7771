"""A bad policy file stops the app with problems that name the setting (issue 3, "Bad
input"): unknown key, wrong type, unknown role, negative number, missing setting, and
the rest of what the schema checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from safehold.policy.loader import PolicyFileError, check_policy_file, load_policy, parse_policy
from tests.policy.policies import MINIMAL_POLICY


def problems_with(text: str) -> list[str]:
    with pytest.raises(PolicyFileError) as refused:
        parse_policy(text, source="provider.toml")
    return refused.value.problems


def without(setting: str) -> str:
    return "".join(
        line + "\n" for line in MINIMAL_POLICY.splitlines() if not line.startswith(setting)
    )


# (why, the file's text, the start of the expected problem)
BAD_FILES = [
    ("unknown top-level key", MINIMAL_POLICY + 'colour = "red"\n',
     "colour: unknown setting"),
    ("misspelt key, with a suggestion", MINIMAL_POLICY + '[closure]\nletter_to = ["survivor"]\n',
     "closure.letter_to: unknown setting (did you mean 'letters_to'?)"),
    ("unknown key in an agency",
     MINIMAL_POLICY + '[agencies.police]\nname = "Police"\nscope = "national"\nfax = "1"\n',
     "agencies.police.fax: unknown setting"),
    ("number written as text", MINIMAL_POLICY + 'emergency_repair_hours = "24"\n',
     "emergency_repair_hours: wrong type: expected a whole number, got text '24'"),
    ("yes for true", MINIMAL_POLICY + '[feedback]\nafter_closure = "yes"\n',
     "feedback.after_closure: wrong type: expected true or false"),
    ("a table given as a number", MINIMAL_POLICY + "closure = 3\n",
     "closure: wrong type: expected a table"),
    ("a list given as text", MINIMAL_POLICY + '[disclosure]\napprover_roles = "director"\n',
     "disclosure.approver_roles: wrong type: expected a list"),
    ("unknown role",
     MINIMAL_POLICY + '[closure]\nsurvivor_agreement = "overridable"\noverride_role = "ceo"\n',
     "closure.override_role: unknown role 'ceo'"),
    ("unknown role in a list", MINIMAL_POLICY + '[disclosure]\napprover_roles = ["ceo"]\n',
     "disclosure.approver_roles[0]: unknown role 'ceo'"),
    ("a role that never sees cases", MINIMAL_POLICY + '[appeals]\nreviewer_role = "auditor"\n',
     "appeals.reviewer_role: the role 'auditor' cannot take this decision"),
    ("an officer approving disclosures",
     MINIMAL_POLICY + '[disclosure]\napprover_roles = ["officer"]\n',
     "disclosure.approver_roles[0]: the role 'officer' cannot take this decision"),
    ("negative hours", MINIMAL_POLICY + "emergency_repair_hours = -4\n",
     "emergency_repair_hours: must be 1 or more, not -4"),
    ("negative days", MINIMAL_POLICY + "review_interval_days = -14\n",
     "review_interval_days: must be 1 or more, not -14"),
    ("zero working days",
     without("response_target") + 'response_target = { kind = "working_days", amount = 0 }\n',
     "response_target.amount: must be 1 or more, not 0"),
    ("negative appeal deadline",
     MINIMAL_POLICY
     + "[appeals]\nstage_1 = { acknowledge_working_days = -5, respond_working_days = 10 }\n",
     "appeals.stage_1.acknowledge_working_days: must be 1 or more, not -5"),
    ("an extra zero", MINIMAL_POLICY + "review_interval_days = 14000\n",
     "review_interval_days: must be 1000 or less"),
    ("missing id", without("id"), "id: missing; this setting is required"),
    ("missing name", without("name"), "name: missing"),
    ("missing provider", without("provider"), "provider: missing"),
    ("missing review date", without("review_date"), "review_date: missing"),
    ("missing response target", without("response_target"), "response_target: missing"),
    ("half a response target",
     without("response_target") + 'response_target = { kind = "clock_hours" }\n',
     "response_target.amount: missing"),
    ("unknown target kind",
     without("response_target") + 'response_target = { kind = "hours", amount = 24 }\n',
     "response_target.kind: must be one of 'clock_hours' or 'working_days', not 'hours'"),
    ("unknown nation", MINIMAL_POLICY + 'nation = "cornwall"\n', "nation: must be one of"),
    ("a date that is text", without("review_date") + 'review_date = "next April"\n',
     "review_date: wrong type: expected a date"),
    ("close of business before opening",
     MINIMAL_POLICY + '[working_hours]\nstart = "09:00"\nend = "08:30"\n',
     "working_hours.end: must be later than start (09:00)"),
    ("unknown abuse type", MINIMAL_POLICY + '[definitions.abuse_types]\nfmg = "FGM"\n',
     "definitions.abuse_types.fmg: unknown abuse type 'fmg'"),
    ("unknown closure reason", MINIMAL_POLICY + '[closure]\nreasons = ["resolved", "moved"]\n',
     "closure.reasons[1]: unknown closure reason 'moved'"),
    ("no closure reasons", MINIMAL_POLICY + "[closure]\nreasons = []\n",
     "closure.reasons: must not be empty"),
    ("unknown disclosure ground",
     MINIMAL_POLICY + '[disclosure]\ngrounds = ["it_seemed_best"]\n',
     "disclosure.grounds[0]: unknown disclosure ground 'it_seemed_best'"),
    ("a role listed twice",
     MINIMAL_POLICY + '[disclosure]\napprover_roles = ["director", "director"]\n',
     "disclosure.approver_roles: lists director more than once"),
    ("override without a role", MINIMAL_POLICY + '[closure]\nsurvivor_agreement = "overridable"\n',
     'closure.override_role: required when survivor_agreement is "overridable"'),
    ("a role overriding a required agreement",
     MINIMAL_POLICY + '[closure]\noverride_role = "director"\n',
     'closure.override_role: must be left out when survivor_agreement is "required"'),
    ("a risk score threshold, now the risk tool's",
     MINIMAL_POLICY + "[marac]\nhigh_risk_score = 14\n",
     "marac.high_risk_score: no longer a policy setting: each risk tool's file sets"),
    ("no reassessment interval", MINIMAL_POLICY + "[marac]\nreassess_high_risk_days = 0\n",
     "marac.reassess_high_risk_days: must be 1 or more, not 0"),
    ("an API agency left out",
     MINIMAL_POLICY + '[agencies]\npolice = { name = "Police", scope = "national" }\n',
     "agencies: must list every agency of API.md §3; missing: marac, idva"),
    ("a national agency with areas",
     MINIMAL_POLICY
     + '[agencies.police]\nname = "Police"\nscope = "national"\nareas = ["Leeds"]\n',
     "agencies.police.areas: a national agency serves everywhere"),
    ("a phone number with letters",
     MINIMAL_POLICY + '[agencies.police]\nname = "Police"\nscope = "national"\nphone = "nine"\n',
     "agencies.police.phone: 'nine' is not in the expected form"),
    ("a quote on no setting", MINIMAL_POLICY + '[quotes]\n"closure.letter_to" = "words"\n',
     'quotes."closure.letter_to": no such setting to quote'),
    ("not TOML", MINIMAL_POLICY + "nation = england\n",
     "provider.toml: not valid TOML: Invalid value (at line 6"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("why", "text", "expected"), BAD_FILES, ids=[case[0] for case in BAD_FILES]
)
def test_it_names_the_setting_that_is_wrong(why: str, text: str, expected: str) -> None:
    problems = problems_with(text)

    assert any(problem.startswith(expected) for problem in problems), problems


def test_it_lists_every_problem_at_once() -> None:
    text = without("provider") + "emergency_repair_hours = -1\n[closure]\nletter_to = []\n"

    problems = problems_with(text)

    assert len(problems) == 3
    assert str(PolicyFileError("provider.toml", problems)).startswith(
        "The policy file provider.toml cannot be used:\n  - "
    )


def test_check_policy_file_returns_the_same_problems(tmp_path: Path) -> None:
    path = tmp_path / "provider.toml"
    path.write_text(MINIMAL_POLICY + "review_interval_days = -14\n", encoding="utf-8")

    assert check_policy_file(path) == ["review_interval_days: must be 1 or more, not -14"]


def test_check_policy_file_is_empty_for_a_good_file(tmp_path: Path) -> None:
    path = tmp_path / "provider.toml"
    path.write_text(MINIMAL_POLICY, encoding="utf-8")

    assert check_policy_file(path) == []


def test_it_says_when_the_file_cannot_be_read(tmp_path: Path) -> None:
    missing = tmp_path / "missing.toml"

    assert check_policy_file(missing) == [
        f"{missing}: cannot read the file (No such file or directory)"
    ]


def test_it_says_when_the_file_is_not_text(tmp_path: Path) -> None:
    path = tmp_path / "provider.toml"
    path.write_bytes(b"\xff\xfe" + MINIMAL_POLICY.encode("utf-16-le"))

    assert check_policy_file(path) == [f"{path}: the file is not UTF-8 text"]


def test_an_unknown_bundled_id_lists_the_bundled_policies() -> None:
    with pytest.raises(PolicyFileError) as refused:
        load_policy("westmorland")

    assert refused.value.problems == [
        "no bundled policy called 'westmorland' "
        "(bundled: association, default, viridian, wha, whg, wrekin) and no such file"
    ]
