"""Client operators and the operator's own staff, and their bearer tokens."""
