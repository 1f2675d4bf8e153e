"""Queries on signing keys and used refresh tokens."""

from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from order_taking.auth.models import SigningKey, UsedRefreshToken
from order_taking.core.database import insert_if_missing


async def current_key(db: AsyncSession) -> SigningKey | None:
    query = select(SigningKey).where(SigningKey.retired_at.is_(None))
    return await db.scalar(query.order_by(SigningKey.generation.desc()).limit(1))


async def keys_in_use(db: AsyncSession, retired_after: datetime) -> list[SigningKey]:
    """The keys that may have signed a token still valid: unretired, or retired recently."""
    query = select(SigningKey).where(
        SigningKey.retired_at.is_(None) | (SigningKey.retired_at > retired_after)
    )
    return list(await db.scalars(query.order_by(SigningKey.generation.desc())))


async def last_generation(db: AsyncSession) -> int:
    return int(await db.scalar(select(func.coalesce(func.max(SigningKey.generation), 0))) or 0)


async def add_key_if_none(db: AsyncSession, key: SigningKey) -> None:
    """The first key: when two processes add it at once, the second insert does nothing."""
    values = {column.key: getattr(key, column.key) for column in SigningKey.__table__.columns}
    await insert_if_missing(db, SigningKey.__table__, **values)


async def retire_keys(db: AsyncSession, moment: datetime) -> None:
    await db.execute(
        update(SigningKey).where(SigningKey.retired_at.is_(None)).values(retired_at=moment)
    )


async def forget_keys_retired_before(db: AsyncSession, moment: datetime) -> None:
    await db.execute(delete(SigningKey).where(SigningKey.retired_at < moment))


async def mark_refresh_token_used(db: AsyncSession, jti: str, expires_at: datetime) -> bool:
    """False if it was used already: of two concurrent uses, the primary key lets one through."""
    try:
        async with db.begin_nested():
            db.add(UsedRefreshToken(jti=jti, expires_at=expires_at))
    except IntegrityError:
        return False
    return True


async def forget_refresh_tokens_expired_before(db: AsyncSession, moment: datetime) -> None:
    await db.execute(delete(UsedRefreshToken).where(UsedRefreshToken.expires_at < moment))
