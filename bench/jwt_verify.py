"""What checking a built-in access token costs, without the one-second cache of clients.auth:
µs per ES256 verification, against hashing an opaque token (which then needs a database query).

usage: .venv/bin/python bench/jwt_verify.py
"""

import hashlib
import secrets
import timeit
from datetime import timedelta

from cryptography.hazmat.primitives.asymmetric import ec

from order_taking.auth import tokens
from order_taking.auth.keys import PrivateKey
from order_taking.clients.service import ClientIdentity
from order_taking.core.time import now

ROUNDS, TIMES = 3, 2000

private = ec.generate_private_key(ec.SECP256R1())
token = tokens.sign(
    PrivateKey("bench", private),
    issuer="http://127.0.0.1/auth/realms/order-taking",
    holder=ClientIdentity(id="bench", code="BN001"),
    typ=tokens.ACCESS,
    client_id="api-client",
    scope="",
    issued_at=now(),
    lifetime=timedelta(minutes=5),
)
keys = {"bench": private.public_key()}
opaque = secrets.token_urlsafe(32)


def verify() -> None:
    tokens.decode(token, keys, realm="order-taking", audience=tokens.AUDIENCE, typ=tokens.ACCESS)


for _ in range(ROUNDS):
    jwt_us = timeit.timeit(verify, number=TIMES) / TIMES * 1e6
    hash_us = timeit.timeit(lambda: hashlib.sha256(opaque.encode()).hexdigest(), number=TIMES)
    print(f"JWT ES256 verification {jwt_us:.0f} µs; opaque token hash {hash_us / TIMES * 1e6:.1f} µs")
