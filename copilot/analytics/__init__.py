"""Is the copilot helping? Acceptance analytics from the audit log, knowledge gaps and NPS.

Figures are computed with SQL aggregates over the audit log (one pass per question asked, no
event loaded into Python except the diffs of edited replies), so a month of a busy team's log
reports in seconds on SQLite and PostgreSQL alike.
"""
