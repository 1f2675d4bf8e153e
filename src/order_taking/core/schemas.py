"""Response types shared by the features."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, PlainSerializer

from order_taking.core.time import render_datetime

# `2025-04-10T12:11:57.548+02:00`, in the service's zone.
ApiDateTime = Annotated[datetime, PlainSerializer(render_datetime, return_type=str)]


class StateChange(BaseModel):
    state: str = Field(description="The new state")
    change_date: ApiDateTime = Field(description="When it changed")
    change_reason: str = Field("", description="Why it changed")
