from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from order_taking.core.columns import id_column
from order_taking.core.database import Base
from order_taking.core.time import UtcDateTime, now


class Client(Base):
    """A client operator (ISP, integrator), known by its code, e.g. `DC173`."""

    __tablename__ = "clients"

    id: Mapped[str] = id_column()
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)


class ClientToken(Base):
    """A bearer token of a client, stored as its SHA-256 only."""

    __tablename__ = "client_tokens"

    id: Mapped[str] = id_column()
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)


class Operator(Base):
    """A member of the operator's sales administration (ADV), who acts on created orders."""

    __tablename__ = "operators"

    id: Mapped[str] = id_column()
    name: Mapped[str] = mapped_column(String(255), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
