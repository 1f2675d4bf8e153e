"""Sign-in as integrators do it with Keycloak: the OAuth2 token endpoint, its JWTs and keys, and
the JWTs of an external OpenID Connect issuer."""
