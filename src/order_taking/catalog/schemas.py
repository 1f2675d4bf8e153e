"""The catalog file format of `order-taking catalog load FILE`; the demo catalog uses it too."""

from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OptionEntry(_Entry):
    id: str = Field(min_length=1, max_length=64)
    name: str = ""


class OfferingEntry(_Entry):
    id: str = Field(min_length=1, max_length=64)
    name: str = ""
    offer_family: str = Field("", max_length=64, description="e.g. BPE; DIA has its ENNI computed")
    offer_technology: str = Field("", max_length=64, description="e.g. FIBDE")
    manual_validation: bool = Field(False, description="orders wait for ADV's validation")
    options: list[str] = Field(default_factory=list, description="ids of the options allowed")


class EligibilityEntry(_Entry):
    id: str = Field(min_length=1, max_length=64)
    street_number: str = ""
    street_name: str = ""
    postcode: str = ""
    city: str = ""
    insee_code: str = ""
    building_ref: str = ""
    latitude: float | None = None
    longitude: float | None = None
    offerings: list[str] = Field(default_factory=list, description="ids of the eligible offerings")


class CatalogFile(_Entry):
    options: list[OptionEntry] = Field(default_factory=list)
    offerings: list[OfferingEntry] = Field(default_factory=list)
    eligibility_items: list[EligibilityEntry] = Field(default_factory=list)

    @model_validator(mode="after")
    def _references_resolve(self) -> Self:
        option_ids = {o.id for o in self.options}
        offering_ids = {o.id for o in self.offerings}
        for kind, ids in (
            ("option", [o.id for o in self.options]),
            ("offering", [o.id for o in self.offerings]),
            ("eligibility item", [e.id for e in self.eligibility_items]),
        ):
            if len(ids) != len(set(ids)):
                raise ValueError(f"an {kind} id appears twice")
        for offering in self.offerings:
            if unknown := set(offering.options) - option_ids:
                raise ValueError(f"offering {offering.id} allows unknown options {sorted(unknown)}")
        for item in self.eligibility_items:
            if unknown := set(item.offerings) - offering_ids:
                raise ValueError(f"eligibility item {item.id} names unknown {sorted(unknown)}")
        return self
