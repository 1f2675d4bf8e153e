from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from order_taking.core.database import Base
from order_taking.core.time import UtcDateTime, now


class BackofficeSession(Base):
    """A signed-in member of the staff, known by the SHA-256 of the cookie's random token.

    Kept on the server, so that signing out or going idle ends it for good; it holds the CSRF token
    every form of the session carries.
    """

    __tablename__ = "backoffice_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    operator_id: Mapped[str] = mapped_column(
        ForeignKey("operators.id", ondelete="CASCADE"), index=True
    )
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now, index=True)
