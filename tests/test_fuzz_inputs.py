"""Whatever people type and providers write is answered, never crashed on (issue 10).

Property tests with hypothesis:

- the web forms: any text in any field (unicode, control characters, huge strings,
  script tags, odd dates) gives `is_valid()` True or False, never an exception; an
  invalid form's errors are on its fields; a valid form's dates are ones the services
  can work with;
- the policy file loader and the risk tool file loader: TOML-ish text, and mutated
  copies of the bundled files, either load or raise the loader's own error, each
  problem naming the setting (or the file) it is about.

Each property is bounded so the file runs in well under a minute. A longer search, as
for the API fuzz test (tests/test_fuzz_api.py):

    SAFEHOLD_FUZZ_EXAMPLES=5000 .venv/bin/pytest tests/test_fuzz_inputs.py -p no:cacheprovider
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from django import forms
from django.test import Client
from django.utils.datastructures import MultiValueDict
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from safehold.accounts.models import Staff
from safehold.cases.forms import ContactForm, IntakeForm, SearchForm
from safehold.cases.models import Case
from safehold.casework.forms import ActionForm, ReferralForm
from safehold.closure.forms import AppealForm, ClosureForm, FeedbackForm, start_of_day
from safehold.policy.clock import FIRST_YEAR, LAST_YEAR
from safehold.policy.loader import BUNDLED_DIR as POLICIES
from safehold.policy.loader import PolicyFileError, load_policy, parse_policy
from safehold.policy.schema import Policy
from safehold.records.forms import SubjectAccessForm
from safehold.risk.tools import BUNDLED_DIR as TOOLS
from safehold.risk.tools import RiskTool, RiskToolFileError, parse_tool

EXAMPLES = max(100, int(os.environ.get("SAFEHOLD_FUZZ_EXAMPLES", "0")))
POLICY = load_policy("default")

# What people type: any unicode (control characters included), markup, numbers that are
# not quite numbers, and text far over any field's limit.
ODD_TEXT = [
    "<script>alert('x')</script>",
    '"><img src=x onerror=alert(1)>',
    "Robert'); DROP TABLE cases;--",
    "\x00",
    "\u202eevil",
    "\ufeff",
    "١٢",
    "٣١/١٢/٢٠٢٦",
    "0",
    "-1",
    "00",
    "1e9",
    "99999999999999999999",
    "NaN",
    " ",
    "yes",
    "on",
]
typed = st.one_of(
    st.text(max_size=60),
    st.sampled_from(ODD_TEXT),
    st.builds(
        lambda piece, times: piece * times, st.text(min_size=1, max_size=3), st.integers(1, 30_000)
    ),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
)
# Day, month and year boxes, and time boxes: mostly numbers, at and past every edge.
date_part = st.one_of(
    st.integers(min_value=-5, max_value=10_000).map(str),
    st.sampled_from(["0001", "1899", "1900", "2999", "3000", "9999", "29", "30", "31", "02"]),
    typed,
)
# What goes in a single date or time box.
time_text = st.one_of(
    st.sampled_from(["00:00", "23:59", "24:00", "25:61", "12.30", "1230", "9:5", ":"]),
    st.sampled_from(["01/01/0001", "0001-01-01", "31/12/9999", "9999-12-31", "30/02/2027"]),
    typed,
)


def field_keys(form: forms.Form) -> dict[str, tuple[st.SearchStrategy[str], ...]]:
    """The keys a browser may send for each field (a date's three boxes are `name_0` to
    `name_2`), each with a plausible value and the odd values worth trying in it."""
    keys: dict[str, tuple[st.SearchStrategy[str], ...]] = {}
    for name, field in form.fields.items():
        if isinstance(field.widget, forms.MultiWidget):
            day, month, year = st.integers(1, 28), st.integers(1, 12), st.integers(1950, 2030)
            for n, plausible in enumerate((day, month, year)):
                keys[f"{name}_{n}"] = (plausible.map(str), date_part)
        elif isinstance(field, forms.TimeField):
            keys[name] = (st.times().map(lambda moment: moment.strftime("%H:%M")), time_text)
        elif isinstance(field, forms.DateField):
            days = st.dates(date(1950, 1, 1), date(2030, 12, 31))
            keys[name] = (days.map(lambda day: day.strftime("%d/%m/%Y")), time_text)
        elif isinstance(field, forms.ChoiceField) and field.choices:
            choices = [str(value) for value, _ in field.choices]
            keys[name] = (st.sampled_from(choices), typed)
        elif isinstance(field, forms.IntegerField | forms.BooleanField):
            keys[name] = (st.sampled_from(["0", "1", "2", "on"]), typed)
        elif isinstance(field, forms.EmailField):
            keys[name] = (st.just("survivor@example.org"), typed)
        else:
            keys[name] = (st.text(alphabet="abc XYZ'-", min_size=1, max_size=30), typed)
    return keys


def submissions(form: forms.Form) -> st.SearchStrategy[MultiValueDict]:
    """What a browser may send: any of the form's keys with any values, each once or
    several times, plus a stray key; or every key filled in plausibly but a few typed
    oddly, which reaches the checks a form makes once its fields are valid."""
    keys = field_keys(form)
    odd = {key: st.lists(strategy, min_size=1, max_size=3) for key, (_, strategy) in keys.items()}
    anything = st.fixed_dictionaries({}, optional={**odd, "stray": st.lists(typed, max_size=2)})
    filled = st.fixed_dictionaries(
        {key: plausible.map(lambda value: [value]) for key, (plausible, _) in keys.items()}
    )
    oddly_typed = st.sets(st.sampled_from(sorted(odd)), max_size=2).flatmap(
        lambda chosen: st.fixed_dictionaries({key: odd[key] for key in chosen})
    )
    mostly_filled = st.builds(lambda plain, typed: {**plain, **typed}, filled, oddly_typed)
    return st.one_of(anything, mostly_filled).map(MultiValueDict)


def in_working_years(moment: date | datetime | None) -> bool:
    return moment is None or FIRST_YEAR <= moment.year <= LAST_YEAR


def assert_answers(form: forms.Form) -> bool:
    valid = form.is_valid()
    assert valid in (True, False)
    assert set(form.errors) <= set(form.fields), form.errors
    if valid:
        for name, value in form.cleaned_data.items():
            assert not isinstance(value, date) or in_working_years(value), name
    return valid


# The forms, built as their views build them; the intake form with three alleged
# perpetrators and three children, so that their fields are tried too.
INTAKE_WITH_PEOPLE = IntakeForm({"perpetrators": "3", "children": "3"}, policy=POLICY)
OTHER_FORMS: dict[str, Callable[[MultiValueDict], forms.Form]] = {
    "appeal": lambda data: AppealForm(data, policy=POLICY),
    "action": lambda data: ActionForm(data, policy=POLICY),
    "referral": lambda data: ReferralForm(data, policy=POLICY),
    "subject access": lambda data: SubjectAccessForm(
        data, requesters=[("survivor", "The survivor")]
    ),
}


@settings(max_examples=EXAMPLES, deadline=None)
@given(data=submissions(INTAKE_WITH_PEOPLE))
def test_the_intake_form_answers_anything_typed(data: MultiValueDict) -> None:
    form = IntakeForm(data, policy=POLICY)
    if assert_answers(form):
        report = form.report()
        assert in_working_years(report.reported_at)
        assert report.reported_at is None or report.reported_at.astimezone(UTC)


@settings(max_examples=EXAMPLES, deadline=None)
@given(data=submissions(ContactForm()))
def test_the_contact_form_answers_anything_typed(data: MultiValueDict) -> None:
    form = ContactForm(data)
    if assert_answers(form):
        assert in_working_years(form.at(datetime.now(UTC)))


@settings(max_examples=EXAMPLES, deadline=None)
@given(data=submissions(SearchForm()))
def test_the_search_form_answers_anything_typed(data: MultiValueDict) -> None:
    assert_answers(SearchForm(data))


@settings(max_examples=EXAMPLES, deadline=None)
@given(data=submissions(ClosureForm(policy=POLICY, may_override=True)))
def test_the_closure_form_answers_anything_typed(data: MultiValueDict) -> None:
    form = ClosureForm(data, policy=POLICY, may_override=True)
    if assert_answers(form):
        assert in_working_years(start_of_day(form.cleaned_data["review_meeting"]))


@settings(max_examples=EXAMPLES, deadline=None)
@given(data=submissions(FeedbackForm()))
def test_the_feedback_form_answers_anything_typed(data: MultiValueDict) -> None:
    form = FeedbackForm(data)
    if assert_answers(form):
        assert form.cleaned_data["satisfaction"] in (None, 1, 2, 3, 4, 5)


@pytest.mark.parametrize("name", ["appeal", "action", "referral", "subject access"])
def test_the_other_casework_forms_answer_anything_typed(name: str) -> None:
    build = OTHER_FORMS[name]

    @settings(max_examples=EXAMPLES // 2, deadline=None)
    @given(data=st.data())
    def answers(data: st.DataObject) -> None:
        assert_answers(build(data.draw(submissions(build(MultiValueDict())))))

    answers()


@pytest.mark.parametrize("year", ["0001", "1899", "3000", "9999"])
def test_a_date_outside_the_working_years_is_an_error_on_its_field(year: str) -> None:
    # Found: a report dated in year 1 passed the form, then crashed the intake service
    # ("year 0 is out of range") looking for a repeat in the 12 months before it.
    typed = {"reported_date_0": "1", "reported_date_1": "1", "reported_date_2": year}
    form = IntakeForm({"source": "anonymous", **typed}, policy=POLICY)

    assert not form.is_valid()
    assert form.errors["reported_date"] == [f"Enter a year from {FIRST_YEAR} to {LAST_YEAR}"]


@pytest.mark.parametrize(
    "due", [("1", "1", "0001"), ("31", "12", "1899"), ("1", "1", "3000"), ("31", "12", "9999")]
)
def test_an_action_due_outside_the_working_years_is_an_error_on_its_field(
    due: tuple[str, str, str],
) -> None:
    # Found by the property above: the action form took a due date in year 9999. (The
    # due date is a GOV.UK date input since issue 18: day, month and year boxes.)
    typed = {f"due_date_{n}": part for n, part in enumerate(due)}
    form = ActionForm({"kind": "support", "recharge": "none", **typed}, policy=POLICY)

    assert not form.is_valid()
    assert form.errors["due_date"] == [f"Enter a year from {FIRST_YEAR} to {LAST_YEAR}"]


@pytest.mark.django_db
def test_a_report_dated_in_year_1_is_refused_on_the_page_and_opens_no_case(
    officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    typed = {"reported_date_0": "1", "reported_date_1": "1", "reported_date_2": "0001"}
    form = {"source": "anonymous", "perpetrators": "0", "children": "0", **typed}

    response = as_staff(officer).post("/cases/new", {**form, "step": "confirm"})

    assert response.status_code == 400
    assert f"Enter a year from {FIRST_YEAR} to {LAST_YEAR}" in response.content.decode()
    assert Case.objects.count() == 0


# The file loaders.

POLICY_TEXT = (POLICIES / "default.toml").read_text(encoding="utf-8")
TOOL_TEXT = (TOOLS / "dash-ric.toml").read_text(encoding="utf-8")

TOML_VALUES = [
    "true",
    "0",
    "-1",
    "3.5",
    "nan",
    "-inf",
    "9223372036854775807",
    '""',
    '"<script>alert(1)</script>"',
    '"\\u0000"',
    "[]",
    "{}",
    '[1, "a", true]',
    "{ kind = 1 }",
    "1979-05-27T07:32:00Z",
    "0001-01-01",
    "9999-12-31",
    '"25:99"',
    "[[[[[[[[[[1]]]]]]]]]]",
]
toml_value = st.one_of(
    st.sampled_from(TOML_VALUES),
    st.integers(min_value=-(10**18), max_value=10**18).map(str),
    st.text(max_size=20).map(
        lambda text: '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    ),
    st.integers(min_value=1, max_value=3_000).map(lambda depth: "[" * depth + "]" * depth),
    st.integers(min_value=1, max_value=100_000).map(lambda size: '"' + "x" * size + '"'),
)


@st.composite
def mutated(draw: st.DrawFn, text: str) -> str:
    """`text` with a few lines deleted, repeated, given another value, or typed over."""
    lines = text.splitlines(keepends=True)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        at = draw(st.integers(min_value=0, max_value=len(lines) - 1))
        kind = draw(st.sampled_from(["delete", "repeat", "value", "insert", "cut"]))
        if kind == "delete":
            del lines[at]
        elif kind == "repeat":
            lines.insert(at, lines[at])
        elif kind == "value" and " = " in lines[at]:
            key = lines[at].split(" = ", 1)[0]
            lines[at] = f"{key} = {draw(toml_value)}\n"
        elif kind == "insert":
            lines.insert(at, draw(st.text(max_size=40)) + "\n")
        elif kind == "cut":
            lines[at] = lines[at][: draw(st.integers(min_value=0, max_value=len(lines[at])))]
        if not lines:
            lines = ["\n"]
    return "".join(lines)


toml_ish = st.one_of(
    st.text(max_size=200),
    st.lists(
        st.tuples(
            st.sampled_from(["id", "name", "[closure]", "[[sections]]", "levels.high", "x"]),
            toml_value,
        ),
        max_size=6,
    ).map(lambda pairs: "".join(f"{key} = {value}\n" for key, value in pairs)),
)


def assert_problems_name_a_setting(
    problems: list[str], *, text: str, source: str, root: type[BaseModel]
) -> None:
    """Each problem starts with the file (for text that is not TOML at all), the whole
    file, or a setting: one of the schema's or one the file wrote."""
    try:
        written = list(tomllib.loads(text))
    except (tomllib.TOMLDecodeError, RecursionError):
        written = []
    named = (source, "(the whole file)", *root.model_fields, *written, *(f'"{k}"' for k in written))
    assert problems
    for problem in problems:
        assert isinstance(problem, str)
        assert ": " in problem, problem
        assert problem.startswith(named), problem


def assert_policy_loads_or_is_refused(text: str) -> None:
    try:
        loaded = parse_policy(text, source="provider.toml")
    except PolicyFileError as refused:
        assert_problems_name_a_setting(
            refused.problems, text=text, source="provider.toml", root=Policy
        )
    else:
        assert isinstance(loaded, Policy)


def assert_tool_loads_or_is_refused(text: str) -> None:
    try:
        loaded = parse_tool(text, source="tool.toml")
    except RiskToolFileError as refused:
        assert_problems_name_a_setting(
            refused.problems, text=text, source="tool.toml", root=RiskTool
        )
    else:
        assert isinstance(loaded, RiskTool)


@settings(max_examples=EXAMPLES, deadline=None)
@given(text=toml_ish)
def test_any_policy_text_loads_or_is_refused_by_setting(text: str) -> None:
    assert_policy_loads_or_is_refused(text)


@settings(max_examples=EXAMPLES, deadline=None)
@given(text=mutated(POLICY_TEXT))
def test_a_mutated_policy_file_loads_or_is_refused_by_setting(text: str) -> None:
    assert_policy_loads_or_is_refused(text)


@settings(max_examples=EXAMPLES, deadline=None)
@given(text=toml_ish)
def test_any_risk_tool_text_loads_or_is_refused_by_key(text: str) -> None:
    assert_tool_loads_or_is_refused(text)


@settings(max_examples=EXAMPLES, deadline=None)
@given(text=mutated(TOOL_TEXT))
def test_a_mutated_risk_tool_file_loads_or_is_refused_by_key(text: str) -> None:
    assert_tool_loads_or_is_refused(text)


@pytest.mark.parametrize("depth", [10, 400, 5_000])
def test_deeply_nested_lists_are_refused_not_crashed_on(depth: int) -> None:
    nested = "[" * depth + "]" * depth
    assert_policy_loads_or_is_refused(
        POLICY_TEXT.replace('nation = "england"', f"nation = {nested}")
    )
    assert_tool_loads_or_is_refused(TOOL_TEXT + f"\nextra = {nested}\n")


def test_the_bundled_files_load() -> None:
    assert_policy_loads_or_is_refused(POLICY_TEXT)
    assert isinstance(parse_tool(TOOL_TEXT), RiskTool)
    assert isinstance(parse_policy(POLICY_TEXT), Policy)
