"""A real OpenID Connect issuer on loopback, for the tests: its discovery document and its keys
served over HTTP on an ephemeral port, its tokens signed with test RSA keys."""

import base64
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

AUDIENCE = "order-taking-api"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class LoopbackIssuer:
    def __init__(self) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/realms/covage"
        self.key_requests = 0
        self._serving: threading.Thread | None = None
        self._generation = 0
        self.rotate()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path.endswith("/.well-known/openid-configuration"):
                    body = {"issuer": issuer.url, "jwks_uri": f"{issuer.url}/certs"}
                elif self.path.endswith("/certs"):
                    issuer.key_requests += 1
                    body = {"keys": [issuer.public_jwk]}
                else:
                    self.send_error(404)
                    return
                payload = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *_args: Any) -> None:
                pass

        return Handler

    def rotate(self) -> None:
        """A new key replaces the published one, as an issuer rotating its keys does."""
        self._generation += 1
        self.kid = f"test-key-{self._generation}"
        self.private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        jwk: dict[str, Any] = RSAAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        self.public_jwk = {**jwk, "kid": self.kid, "use": "sig", "alg": "RS256"}

    def start(self) -> None:
        self._serving = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._serving.start()

    def stop(self) -> None:
        """Nothing answers at its address any more (idempotent)."""
        if self._serving is not None:
            self.server.shutdown()
            self._serving = None
        self.server.server_close()

    def claims(self, **changes: Any) -> dict[str, Any]:
        moment = int(time.time())
        claims = {
            "iss": self.url,
            "sub": "service-account-dc173",
            "aud": AUDIENCE,
            "iat": moment,
            "exp": moment + 300,
            "client_code": "DC173",
            **changes,
        }
        return {name: value for name, value in claims.items() if value is not None}

    def token(self, **changes: Any) -> str:
        """A token of this issuer, signed RS256 with its current key; `name=None` drops a claim."""
        return jwt.encode(
            self.claims(**changes), self.private_key, algorithm="RS256", headers={"kid": self.kid}
        )

    def unsigned_token(self, **changes: Any) -> str:
        """`alg: none`."""
        header = _b64(json.dumps({"alg": "none", "kid": self.kid}).encode())
        return f"{header}.{_b64(json.dumps(self.claims(**changes)).encode())}."

    def hs256_with_public_key(self, **changes: Any) -> str:
        """HS256 keyed with the issuer's public key, the classic confusion attack."""
        public = self.private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        header = _b64(json.dumps({"alg": "HS256", "kid": self.kid, "typ": "JWT"}).encode())
        signing_input = f"{header}.{_b64(json.dumps(self.claims(**changes)).encode())}"
        signature = hmac.new(public, signing_input.encode(), hashlib.sha256).digest()
        return f"{signing_input}.{_b64(signature)}"
