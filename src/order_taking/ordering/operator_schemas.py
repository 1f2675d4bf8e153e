"""Bodies of the staff actions on order lines."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints


class Cancellation(BaseModel):
    model_config = ConfigDict(extra="ignore")

    reason: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)
    ] = Field(description="Why the order is cancelled; the client sees it as `cancellation_reason`")
