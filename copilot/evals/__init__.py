"""Prompt regression suites: YAML cases with assertions, a concurrent cached runner, baseline
comparison, and reports (terminal, Markdown, HTML, JUnit XML)."""

from copilot.evals.assertions import AssertionResult, AssertionSpec, valid_types
from copilot.evals.compare import Comparison, compare
from copilot.evals.results import CaseResult, RunRecord, RunSummary
from copilot.evals.runner import Runner, RunOptions
from copilot.evals.session import backend_for, run_suites
from copilot.evals.store import RunStore
from copilot.evals.suite import Case, Suite, load_suite, load_suites

__all__ = [
    "AssertionResult",
    "AssertionSpec",
    "Case",
    "CaseResult",
    "Comparison",
    "RunOptions",
    "RunRecord",
    "RunStore",
    "RunSummary",
    "Runner",
    "Suite",
    "backend_for",
    "compare",
    "load_suite",
    "load_suites",
    "run_suites",
    "valid_types",
]
