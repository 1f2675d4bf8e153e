from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from order_taking.core.columns import Json
from order_taking.core.database import Base
from order_taking.core.time import UtcDateTime, now


class SigningKey(Base):
    """A key the built-in issuer signs its JWTs with; the newest unretired one signs."""

    __tablename__ = "signing_keys"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # the JWT's `kid`
    # Unique: two processes creating the first key at once make one (the other's insert is a no-op).
    generation: Mapped[int] = mapped_column(Integer, unique=True)
    algorithm: Mapped[str] = mapped_column(String(16))
    private_key: Mapped[str] = mapped_column(Text)  # PKCS#8 PEM
    public_jwk: Mapped[dict[str, Any]] = mapped_column(Json)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    retired_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class UsedRefreshToken(Base):
    """A refresh token already exchanged: each is used once (its `jti` kept until it expires)."""

    __tablename__ = "used_refresh_tokens"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
