"""The DASH 2009 risk assessment (police version): 27 questions, the score and the grade.

docs/rules.md 3.1: the police (ACPO) version has 27 questions; the score is the count of "yes"
answers; 14 or more is visible high risk; local bands are 1-9 standard, 10-13 medium and 14+
high (a score of 0 is standard too). Professional judgement may raise the grade, with a
rationale, but never lower it.
"""

from collections.abc import Mapping
from enum import StrEnum

# The 27 police DASH questions as one-line plain-English questions (docs/rules.md 3.1 paraphrases),
# index 0 is question 1. Questions 10-12 are the police-only ones the SafeLives version drops.
QUESTIONS: tuple[str, ...] = (
    "Has the current incident resulted in an injury?",
    "Is the victim very frightened?",
    "What is the victim afraid of (further injury, violence, being killed), and for whom?",
    "Does the victim feel isolated from family or friends?",
    "Is the victim feeling depressed or having suicidal thoughts?",
    "Has the victim separated, or tried to separate, from the abuser in the past year?",
    "Is there conflict over child contact?",
    "Does the abuser constantly text, call, contact, follow, stalk or harass the victim?",
    "Is the victim pregnant, or has she had a baby in the past 18 months?",
    "Are there children or step-children in the household who are not the abuser's, "
    "or other dependants?",
    "Has the abuser ever hurt the children or dependants?",
    "Has the abuser ever threatened to hurt or kill the children or dependants?",
    "Is the abuse happening more often?",
    "Is the abuse getting worse?",
    "Does the abuser try to control everything the victim does, or are they excessively jealous?",
    "Has the abuser ever used weapons or objects to hurt the victim?",
    "Has the abuser ever threatened to kill the victim or someone else, "
    "and did the victim believe them?",
    "Has the abuser ever attempted to strangle, choke, suffocate or drown the victim?",
    "Does the abuser do or say things of a sexual nature that make the victim feel bad "
    "or that physically hurt the victim or someone else?",
    "Is there any other person who has threatened the victim, or whom the victim is afraid of?",
    "Does the victim know if the abuser has hurt anyone else?",
    "Has the abuser ever mistreated an animal or the family pet?",
    "Are there any financial issues, or is the victim dependent on the abuser for money?",
    "Has the abuser had problems with drugs, alcohol or mental health in the past year?",
    "Has the abuser ever threatened or attempted suicide?",
    "Has the abuser ever broken bail, an injunction or a formal agreement about contact?",
    "Has the abuser ever been in trouble with the police or does he or she have "
    "a criminal history?",
)
QUESTION_COUNT = len(QUESTIONS)


class Answer(StrEnum):
    YES = "yes"
    NO = "no"
    DONT_KNOW = "dont_know"
    DECLINED = "declined"

    @property
    def label(self) -> str:
        return ANSWER_LABELS[self]


ANSWER_LABELS = {
    Answer.YES: "Yes",
    Answer.NO: "No",
    Answer.DONT_KNOW: "Don't know",
    Answer.DECLINED: "Declined to answer",
}


class DashGrade(StrEnum):
    # Lowest first (docs/rules.md 3.1 grade definitions).
    STANDARD = "standard"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def label(self) -> str:
        return DASH_GRADE_LABELS[self]

    @property
    def rank(self) -> int:
        return list(DashGrade).index(self)


DASH_GRADE_LABELS = {
    DashGrade.STANDARD: "Standard",
    DashGrade.MEDIUM: "Medium",
    DashGrade.HIGH: "High",
}

# docs/rules.md 3.1: 14 or more "yes" answers is visible high risk [S40, S38]; 10-13 is the local
# medium band [S38, local].
HIGH_THRESHOLD = 14
MEDIUM_FROM = 10


def dash_score(answers: Mapping[int, Answer]) -> int:
    """The DASH score: the number of "yes" answers. Don't know and declined count as no."""
    return sum(1 for answer in answers.values() if answer == Answer.YES)


def dash_band(score: int) -> DashGrade:
    """The grade a score makes: 0-9 standard, 10-13 medium, 14 or more high (docs/rules.md 3.1)."""
    if score < 0:
        raise ValueError(f"A DASH score cannot be negative: {score}")
    if score >= HIGH_THRESHOLD:
        return DashGrade.HIGH
    if score >= MEDIUM_FROM:
        return DashGrade.MEDIUM
    return DashGrade.STANDARD


ANSWER_QUESTION = "Answer question {n}: {text}"
UNKNOWN_QUESTIONS = "DASH questions are numbered 1 to 27: remove the answers numbered {numbers}"
NEVER_LOWER = (
    "Professional judgement can raise the grade, never lower it: "
    "the score of {score} makes it at least {band}"
)
RAISE_NEEDS_RATIONALE = "Enter why professional judgement raises the grade"


def dash_problems(
    *, answers: Mapping[int, Answer], grade: DashGrade, rationale: str
) -> list[tuple[str, str]]:
    """A completed DASH: every question answered, and a grade no lower than the score makes it,
    raised only with a rationale (docs/rules.md 3.1)."""
    problems = [
        (f"q{n}", ANSWER_QUESTION.format(n=n, text=text))
        for n, text in enumerate(QUESTIONS, start=1)
        if n not in answers
    ]
    unknown = sorted(n for n in answers if not 1 <= n <= QUESTION_COUNT)
    if unknown:
        numbers = ", ".join(str(n) for n in unknown)
        problems.append(("answers", UNKNOWN_QUESTIONS.format(numbers=numbers)))
    score = dash_score({n: a for n, a in answers.items() if 1 <= n <= QUESTION_COUNT})
    band = dash_band(score)
    if grade.rank < band.rank:
        problems.append(("grade", NEVER_LOWER.format(score=score, band=band.label.lower())))
    elif grade.rank > band.rank and not rationale.strip():
        problems.append(("rationale", RAISE_NEEDS_RATIONALE))
    return problems
