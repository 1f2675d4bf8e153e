from enum import StrEnum


class QuoteState(StrEnum):
    CREATED = "created"  # being filled in
    CONFIRMED = "confirmed"  # sent for quotation; read-only, may be cited by order lines
