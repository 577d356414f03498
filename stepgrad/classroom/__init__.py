"""The classroom: exercises per student, worksheets and answer keys, rosters, grading, gradebooks."""

from _stepgrad_packages import require

require("autodiff", "nn", "lecture")  # before the imports below, which a file named nn.py would break

from .exercise import Exercise, ExerciseError, generate
from .exercise_files import answers_toml, exercise_toml, key_toml
from .folder import MANIFEST, MANIFEST_FORMAT, ClassFolderError, class_seed_of, read_manifest, write_class
from .grade_files import grade_into
from .gradebook import (
                     CSV_COLUMNS,
                     GRADEBOOK_FORMAT,
                     flags_text,
                     gradebook_canvas,
                     gradebook_csv,
                     gradebook_json,
                     gradebook_json_lines,
                     gradebook_moodle,
                     report_json,
                     student_html,
                     student_markdown,
                     summary_markdown,
                     summary_text,
)
from .grading import (
                     CREDIT_NAMES,
                     DEFAULT_CREDIT,
                     MISSING,
                     POLICIES,
                     STATUSES,
                     Gradebook,
                     Keep,
                     Key,
                     Result,
                     Scheme,
                     grade,
                     load_keys,
                     load_scheme,
)
from .intake import ATTEMPTS, report_stem
from .integrity import FLAG_COPY, FLAG_GIVENS, FLAG_SAME
from .publishing import OUTPUTS, Staging, publish, recover
from .roster import ID_COLUMNS, MAX_STUDENTS, RosterError, check_student_id, read_roster, roster_ids
from .template import BUILTIN, BUILTIN_TEXT, Template, TemplateError, load_template
from .workers import default_jobs
from .worksheet import (
                     solution_html,
                     solution_latex,
                     solution_markdown,
                     worksheet_html,
                     worksheet_latex,
                     worksheet_markdown,
)

__all__ = ["Template", "TemplateError", "load_template", "BUILTIN", "BUILTIN_TEXT",
           "Exercise", "ExerciseError", "generate", "exercise_toml", "key_toml", "answers_toml",
           "worksheet_markdown", "worksheet_latex", "worksheet_html",
           "solution_markdown", "solution_latex", "solution_html",
           "read_roster", "RosterError", "check_student_id", "ID_COLUMNS", "MAX_STUDENTS",
           "Scheme", "DEFAULT_CREDIT", "CREDIT_NAMES", "POLICIES", "load_scheme", "Key", "load_keys", "Result", "grade",
           "Keep", "Gradebook", "STATUSES", "MISSING",
           "gradebook_csv", "gradebook_json", "summary_text", "summary_markdown",
           "student_markdown", "student_html", "GRADEBOOK_FORMAT", "CSV_COLUMNS",
           "MANIFEST", "MANIFEST_FORMAT", "ClassFolderError", "read_manifest", "class_seed_of",
           "write_class", "roster_ids", "ATTEMPTS", "report_stem", "FLAG_COPY", "FLAG_GIVENS",
           "FLAG_SAME", "flags_text", "gradebook_moodle", "gradebook_canvas", "OUTPUTS", "publish",
           "recover", "Staging", "grade_into", "gradebook_json_lines", "report_json", "default_jobs"]
