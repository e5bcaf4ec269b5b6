"""Is the copilot helping? Acceptance analytics from the audit log, knowledge gaps and NPS.

The audit log keeps each event's fields in a JSON payload. Reports read a projection of it
(``analytics_events``/``analytics_tags``, kept up to date incrementally by ``sync``: the log is
append-only, so only new events are read) and group with SQL aggregates over plain columns.
"""
