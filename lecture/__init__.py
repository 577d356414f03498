"""lecture: the lecture's worked problems, training-step tables, and the checker of hand derivations."""

from _stepgrad_packages import require

require("autodiff", "nn")  # before the imports below, which a file named nn.py nearby would break

from .check import check, check_derivation

# For the floors above (not the user's face):
from .engine import exact_values
from .examples import EXAMPLES, SECTION7, SECTION8, SECTION10
from .files import (
                     SOURCES,
                     load_problem,
                     load_submission,
                     loads_submission,
                     problem_from_document,
                     read_document,
                     read_student_document,
)
from .graph import ErrorGraph, error_graph
from .mistakes import DIAGNOSES, MISTAKES, Mistake
from .notation import Names
from .problem import PROBLEM_LOSSES, Example, Problem
from .quantities import KINDS, Catalog, Quantity
from .report import (
                     CARRIED,
                     CHANGED,
                     CORRECT,
                     EARLY,
                     FEEDBACK,
                     NOT_CHECKED,
                     REPORT_FORMAT,
                     ROUNDING,
                     UNREADABLE,
                     VERDICT_IDS,
                     VERDICTS,
                     WRONG,
                     Report,
                     Row,
                     report_dict,
                     report_html,
                     report_markdown,
                     report_text,
                     shortened,
                     visible_notes,
)
from .schema import (
                     SIGN_NAMES,
                     Answer,
                     DerivationError,
                     Submission,
                     describe,
                     problem_from_dict,
                     submission_from_dict,
)
from .tables import step_report, unit_table, verification_table, weight_table
from .textbook import TrainingStep, UnitRecord, WeightRecord, apply_step, training_step
from .written import Written

__all__ = ["Problem", "Example", "EXAMPLES", "SECTION7", "SECTION10", "SECTION8", "training_step",
           "apply_step", "TrainingStep", "UnitRecord", "WeightRecord", "step_report", "unit_table",
           "weight_table", "verification_table", "check", "check_derivation", "Report", "Row", "Catalog",
           "Mistake", "MISTAKES", "Submission", "Answer", "Written", "DerivationError", "problem_from_dict",
           "submission_from_dict", "load_problem", "load_submission", "loads_submission", "SOURCES",
           "error_graph", "ErrorGraph", "VERDICTS", "VERDICT_IDS", "CORRECT", "ROUNDING", "CARRIED", "EARLY",
           "WRONG", "CHANGED", "NOT_CHECKED", "UNREADABLE", "read_document", "read_student_document",
           "problem_from_document", "REPORT_FORMAT", "FEEDBACK", "visible_notes", "DIAGNOSES", "KINDS",
           "report_text", "report_dict", "report_html", "report_markdown", "shortened"]
