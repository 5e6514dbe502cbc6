"""Storage: SQLAlchemy tables, the repository the use cases talk to, Alembic migrations, and
export/import.

Typical start-up: ``engine = make_engine(settings.database_url)``, ``upgrade(engine)``,
``repo = SqlRepository(engine)``.
"""

from midback.storage.engine import make_engine, upgrade
from midback.storage.repository import Repository
from midback.storage.sql_repository import SqlRepository
from midback.storage.tables import LOCAL_PERSON_ID

__all__ = ["LOCAL_PERSON_ID", "Repository", "SqlRepository", "make_engine", "upgrade"]
