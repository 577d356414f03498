"""lecture: the lecture's worked examples, training-step tables, and the checker of hand derivations."""

from .derivation import check_derivation
from .derivation_file import load_derivation
from .examples import EXAMPLES, SECTION7, SECTION8, SECTION10, WorkedExample
from .problem import ErrorGraph, error_graph, load_problem
from .tables import step_report, unit_table, verification_table, weight_table
from .textbook import TrainingStep, UnitRecord, WeightRecord, apply_step, training_step

__all__ = ["WorkedExample", "EXAMPLES", "SECTION7", "SECTION10", "SECTION8",
           "training_step", "apply_step", "TrainingStep", "UnitRecord", "WeightRecord",
           "step_report", "unit_table", "weight_table", "verification_table",
           "check_derivation", "load_derivation", "load_problem", "error_graph", "ErrorGraph"]
