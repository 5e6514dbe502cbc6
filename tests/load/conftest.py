"""Load and fault tests: real server processes on loopback, many concurrent clients, a
PostgreSQL that stops mid-way. Each is bounded in count and time and stops by itself."""

from __future__ import annotations

from tests.pg import pg_database, pg_server

__all__ = ["pg_database", "pg_server"]
