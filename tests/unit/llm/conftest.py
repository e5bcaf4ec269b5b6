"""The database fixtures of the customer tests, for the audit log of rejected model output."""

from tests.unit.customers.conftest import db, db_url

__all__ = ["db", "db_url"]
