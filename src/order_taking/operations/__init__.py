"""Running the service for real: health, metrics, logs, request ids, rate limits, offline docs."""
