"""Webhook delivery attempts, counted by outcome and timed (scraped with every other metric)."""

from prometheus_client import Counter, Histogram

WEBHOOK_ATTEMPTS = Counter(
    "order_taking_webhook_attempts",
    "Webhook POSTs made to listeners, by outcome (delivered: a 2xx answer; answered: another "
    "status; timeout; error: no answer; refused: the callback leads to a private address)",
    ["outcome"],
)
WEBHOOK_DURATION = Histogram(
    "order_taking_webhook_attempt_duration_seconds", "Time a listener took to answer a webhook POST"
)
OUTCOMES = ("delivered", "answered", "timeout", "error", "refused")
for _outcome in OUTCOMES:
    WEBHOOK_ATTEMPTS.labels(_outcome)
