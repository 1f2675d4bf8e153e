"""Idempotency-Key (draft-ietf-httpapi-idempotency-key-header): a retried write replays its first
response instead of doing the work twice."""
