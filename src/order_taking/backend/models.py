from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from order_taking.core.context import current_request_id
from order_taking.core.database import Base
from order_taking.core.time import UtcDateTime, now


class OrderCreationJob(Base):
    """A confirmed line whose order the back end has not created yet: the workers' work list.

    Written in the confirm transaction, deleted in the transaction that records the outcome, so
    a line is never lost nor answered twice. A claim is a lease: claiming pushes `run_after` to
    the lease's end, so a dead worker's job becomes due again by itself.
    """

    __tablename__ = "order_creation_jobs"
    __table_args__ = (Index(None, "run_after"),)

    line_id: Mapped[str] = mapped_column(
        ForeignKey("order_lines.id", ondelete="CASCADE"), primary_key=True
    )
    session_id: Mapped[str] = mapped_column(
        ForeignKey("order_sessions.id", ondelete="CASCADE"), index=True
    )
    run_after: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(128), nullable=True)
    claim_token: Mapped[str | None] = mapped_column(String(36), nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    # The confirm's request id, carried by the worker's log lines about this line.
    request_id: Mapped[str | None] = mapped_column(
        String(128), nullable=True, default=current_request_id
    )
