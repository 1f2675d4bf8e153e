from datetime import datetime

from sqlalchemy import Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from order_taking.core.columns import Json
from order_taking.core.database import Base
from order_taking.core.time import UtcDateTime


class IdempotencyKey(Base):
    """A key a client (or an operator) sent with a write that succeeded, and that write's response.

    Written in the transaction of the write itself: the work and its key commit together or not
    at all.
    """

    __tablename__ = "idempotency_keys"
    __table_args__ = (Index(None, "expires_at"),)

    # `client:<id>` or `operator:<id>`: keys of different owners never meet.
    owner: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    # SHA-256 of the method, path and body: a key sent again with another request is refused.
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response_headers: Mapped[dict[str, str]] = mapped_column(Json)
    response_body: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
