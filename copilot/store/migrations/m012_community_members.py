"""m012: who is in each community (群成员): a nickname per member, optionally the customer
record it belongs to, so a group post that names a member can be recognised. Frozen: never
edit once shipped; the table is described here as it shipped.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, MetaData, String, Table
from sqlalchemy.engine import Connection

_meta = MetaData()

Table("communities", _meta, Column("name", String(128), primary_key=True))
Table(
    "community_members",
    _meta,
    Column("community", String(128), ForeignKey("communities.name"), primary_key=True),
    Column("nickname", String(64), primary_key=True),
    Column("customer_id", String(64), nullable=False, server_default=""),  # "" = not linked
)


def m012_community_members(conn: Connection) -> None:
    """Members of the communities."""
    _meta.tables["community_members"].create(conn)
