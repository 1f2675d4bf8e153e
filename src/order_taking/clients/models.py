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
    # argon2id hash of the password of the OAuth2 grants; NULL until one is set.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)


class Operator(Base):
    """A member of the operator's sales administration (ADV), who acts on created orders."""

    __tablename__ = "operators"

    id: Mapped[str] = id_column()
    name: Mapped[str] = mapped_column(String(255), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)


class BearerToken:
    """An opaque bearer token, stored as its SHA-256 only, with its life cycle."""

    id: Mapped[str] = id_column()
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    # Written at most once a minute per token (see clients.service.LAST_USED_PRECISION).
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ClientToken(BearerToken, Base):
    """A bearer token of a client."""

    __tablename__ = "client_tokens"

    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)


class OperatorToken(BearerToken, Base):
    """A bearer token of an operator."""

    __tablename__ = "operator_tokens"

    operator_id: Mapped[str] = mapped_column(
        ForeignKey("operators.id", ondelete="CASCADE"), index=True
    )
