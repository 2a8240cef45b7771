"""No policy number is written in application code (STYLE.md habit 5, issue 3).

The provider's policy file decides deadlines, MARAC criteria and who approves what, and
each risk tool's file the scores at which its risk levels start (docs/risk-tools.md);
code asks `safehold.policy` and `safehold.risk.tools`. This test reads every module of
`safehold/` outside the policy package (and outside settings.py and migrations) for the
obvious ways a policy number creeps in:

- a duration a policy sets, as a keyword (`timedelta(hours=24)`, `days=14`, `days=28`,
  `weeks=2`, `months=12`, `days=365`) or `timedelta(14)`;
- a DASH RIC or MARAC threshold compared with a score or a count of call-outs
  (`score >= 14`, `10 <= score`, `callouts >= 3`);
- a senior role written as a literal where something is approved, disclosed, reviewed,
  evaluated, overridden, appealed or closed (`if by.role in ("director", "da_lead")`
  inside `referral_approve`, `CLOSURE_APPROVERS = ("manager", ...)`).

A number that only looks like policy (API.md §4's 24 hours of break-glass access, say)
is marked on its line with a `# not-policy: <why>` comment.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

SAFEHOLD = Path(__file__).resolve().parents[2] / "safehold"
OPT_OUT = "not-policy"

POLICY_DURATIONS = {
    "hours": {24, 48, 72},
    "days": {14, 28, 365},
    "weeks": {2},
    "months": {12},
}
DASH_THRESHOLDS = {9, 10, 13, 14}
SENIOR_ROLES = {"manager", "director", "da_lead"}
DECISION_WORDS = re.compile(
    r"approv|disclos|appeal|evaluat|overrid|reviewer|closure|closing", re.IGNORECASE
)
SCORE = re.compile(r"score", re.IGNORECASE)
CALLOUTS = re.compile(r"call_?outs?", re.IGNORECASE)


@dataclass(frozen=True)
class Finding:
    line: int
    why: str


def application_modules() -> list[Path]:
    return sorted(
        path
        for path in SAFEHOLD.rglob("*.py")
        if "policy" not in path.relative_to(SAFEHOLD).parts[:1]
        and "migrations" not in path.parts
        and path != SAFEHOLD / "settings.py"
    )


class PolicyNumberFinder(ast.NodeVisitor):
    def __init__(self, source: str) -> None:
        self.source = source
        self.lines = source.splitlines()
        self.findings: list[Finding] = []
        self.functions: list[str] = []
        self.statements: list[ast.stmt] = []

    def visit(self, node: ast.AST) -> None:
        # Keep the enclosing statement and function, the context a literal is read in.
        is_statement = isinstance(node, ast.stmt)
        is_function = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        if is_statement:
            self.statements.append(node)  # type: ignore[arg-type]
        if is_function:
            self.functions.append(node.name)  # type: ignore[attr-defined]
        super().visit(node)
        if is_function:
            self.functions.pop()
        if is_statement:
            self.statements.pop()

    def visit_Call(self, node: ast.Call) -> None:
        for keyword in node.keywords:
            number = _integer(keyword.value)
            if number in POLICY_DURATIONS.get(keyword.arg or "", set()):
                self._flag(keyword.value, f"{keyword.arg}={number} is a policy duration")
        callee = node.func.id if isinstance(node.func, ast.Name) else ""
        if callee == "timedelta" and node.args and _integer(node.args[0]) in {14, 28, 365}:
            self._flag(node, "timedelta(days) is a policy duration")
        self.generic_visit(node)

    def visit_Compare(self, node: ast.Compare) -> None:
        text = ast.get_source_segment(self.source, node) or ""
        numbers = {_integer(side) for side in [node.left, *node.comparators]} - {None}
        if SCORE.search(text) and numbers & DASH_THRESHOLDS:
            self._flag(node, "a risk score compared with a DASH RIC threshold")
        if CALLOUTS.search(text) and numbers:
            self._flag(node, "police call-outs compared with a MARAC threshold")
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if node.value in SENIOR_ROLES and self._reads_as_a_decision(node):
            self._flag(node, f"the role {node.value!r} named as a decision-maker")

    def _reads_as_a_decision(self, node: ast.Constant) -> bool:
        function = self.functions[-1] if self.functions else ""
        statement = self.statements[-1] if self.statements else None
        first_line = statement.lineno if statement else node.lineno
        context = "\n".join(self.lines[first_line - 1 : node.lineno])
        return bool(DECISION_WORDS.search(f"{function}\n{context}"))

    def _flag(self, node: ast.expr, why: str) -> None:
        if OPT_OUT not in self.lines[node.lineno - 1]:
            self.findings.append(Finding(node.lineno, why))


def _integer(node: ast.expr) -> int | None:
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    return None


def policy_numbers_in(source: str) -> list[Finding]:
    finder = PolicyNumberFinder(source)
    finder.visit(ast.parse(source))
    return finder.findings


def test_no_policy_number_is_written_in_application_code() -> None:
    findings = [
        f"{path.relative_to(SAFEHOLD.parent)}:{finding.line}: {finding.why}"
        for path in application_modules()
        for finding in policy_numbers_in(path.read_text(encoding="utf-8"))
    ]

    assert findings == [], "ask safehold.policy instead:\n" + "\n".join(findings)


def test_it_reads_the_application_but_not_the_policy_package() -> None:
    modules = application_modules()

    assert SAFEHOLD / "cli.py" in modules
    assert SAFEHOLD / "risk" / "tools.py" in modules  # the scorer asks the tool's file
    assert not any("policy" in path.relative_to(SAFEHOLD).parts[:1] for path in modules)
    assert SAFEHOLD / "settings.py" not in modules


POLICY_IN_CODE = [
    ("due = reported_at + timedelta(hours=24)", "hours=24"),
    ("next_review = last + timedelta(days=14)", "days=14"),
    ("due = at + timedelta(14)", "timedelta(days)"),
    ("repeat_since = now - relativedelta(months=12)", "months=12"),
    ("high = score >= 14", "DASH RIC"),
    ("level = 'medium' if 10 <= answers.score < 14 else 'standard'", "DASH RIC"),
    ("if police_callouts_last_12_months >= 3:\n    reasons.append('x')", "call-outs"),
    (
        "def referral_approve(*, referral, by):\n"
        "    if by.role not in ('director', 'da_lead'):\n"
        "        raise Refusal('forbidden', 'no')",
        "decision-maker",
    ),
    ("CLOSURE_APPROVERS = (\n    'manager',\n    'director',\n)", "decision-maker"),
    ("appeal = Appeal(case=case, reviewer_role='director')", "decision-maker"),
]


@pytest.mark.parametrize(("source", "why"), POLICY_IN_CODE)
def test_it_finds_policy_written_in_code(source: str, why: str) -> None:
    findings = policy_numbers_in(source)

    assert findings
    assert why in findings[0].why


ORDINARY_CODE = [
    "SESSION_IDLE_TIMEOUT = timedelta(minutes=30)",
    "SESSION_ABSOLUTE_LIMIT = timedelta(hours=10)",
    "yesterday = now - timedelta(days=1)",
    "page = rows[:50]",
    "for number in range(1, 25):\n    questions.append(f'q{number}')",
    "if len(answers) != 24:\n    raise ValueError('DASH RIC has 24 questions')",
    "def cases_visible_to(user):\n    if user.role in ('director', 'da_lead'):\n"
    "        return Case.objects.all()",
    "leads = Staff.objects.filter(role='da_lead')",
    "ROLE_CHOICES = [('manager', 'Manager'), ('director', 'Director')]",
    "count = '<5' if 1 <= value <= 4 else value",
    "BREAK_GLASS_ACCESS = timedelta(hours=24)  # not-policy: API.md §4 break glass",
    "if score > best_score:\n    best_score = score",
]


@pytest.mark.parametrize("source", ORDINARY_CODE)
def test_it_leaves_ordinary_code_alone(source: str) -> None:
    assert policy_numbers_in(source) == []
