"""Forms built from a risk tool's file: one section's questions, and the last page."""

from __future__ import annotations

from typing import Any

from django import forms

from safehold.risk import tools


class SectionForm(forms.Form):
    """Each question of one section: an answer (Don't know always offered), a note, and
    the source of the information when it is not the survivor. Questions carry their
    printed number across the whole tool, and an error names the question by it."""

    def __init__(self, *args: Any, tool: tools.RiskTool, section: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.section = section
        self.numbers = tools.question_numbers(tool)
        options = tools.answer_options(tool)
        for question in section.questions:
            self.fields[question.id] = forms.ChoiceField(
                choices=options,
                widget=forms.RadioSelect,
                label=question.text,
                help_text=question.help or "",
                error_messages={"required": unanswered_message(self.numbers, question)},
            )
            self.fields[f"note_{question.id}"] = forms.CharField(
                required=False, max_length=2000, label="Note (optional)"
            )
            self.fields[f"source_{question.id}"] = forms.CharField(
                required=False,
                max_length=200,
                label="Source of this information, if not the survivor (optional)",
            )

    def question_rows(
        self,
    ) -> list[tuple[int, Any, forms.BoundField, forms.BoundField, forms.BoundField]]:
        return [
            (self.numbers[q.id], q, self[q.id], self[f"note_{q.id}"], self[f"source_{q.id}"])
            for q in self.section.questions
        ]

    def values(self, prefix: str = "") -> dict[str, str]:
        return {
            q.id: self.cleaned_data[f"{prefix}{q.id}"]
            for q in self.section.questions
            if self.cleaned_data.get(f"{prefix}{q.id}")
        }


def question_words(numbers: dict[str, int], question: tools.Question) -> str:
    """A question as the pages name it: "Question 7: Do you and they disagree ...?"."""
    return f"Question {numbers[question.id]}: {question.text}"


def unanswered_message(numbers: dict[str, int], question: tools.Question) -> str:
    """The error for a question left unanswered, naming it once."""
    words = question_words(numbers, question)
    stop = "" if words.endswith(("?", ".", "!")) else "."
    return f"{words}{stop} Choose an answer, or Don't know"


class FinishForm(forms.Form):
    professional_judgement = forms.ChoiceField(
        choices=[("no", "No"), ("yes", "Yes")],
        widget=forms.RadioSelect,
        label="In your professional judgement, is the risk high whatever the score?",
        error_messages={"required": "Say whether your professional judgement is high risk"},
    )
    police_callouts = forms.IntegerField(
        min_value=0,
        max_value=1000,
        label="Police call-outs to the survivor in the last 12 months",
        error_messages={
            "required": "Enter the number of police call-outs, or 0",
            "invalid": "Enter a whole number, such as 0 or 3",
        },
    )
