"""`related_contact_information`: the end customer's site and contacts, shared by order and quote
lines. Stored as structured data; its formats are checked at confirmation (backend.rules)."""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from order_taking.core.fields import Code, Name, Number


class ContactInformation(BaseModel):
    model_config = ConfigDict(extra="ignore")

    end_customer_name: Name = Field("", description="End customer name (required at confirmation)")
    siret: Code = Field("", description="SIRET number, 14 digits (required if siret_known)")
    contact1_email_address: Name = Field("", description="On-site contact e-mail address")
    contact1_firstname: Name = Field("", description="On-site contact first name")
    contact1_lastname: Name = Field("", description="On-site contact last name")
    contact1_phone_number: Code = Field("", description="On-site contact phone, 0XXXXXXXXX or +33…")
    contact2_email_address: Name = Field("", description="Secondary contact e-mail address")
    contact2_firstname: Name = Field("", description="Secondary contact first name")
    contact2_lastname: Name = Field("", description="Secondary contact last name")
    contact2_phone_number: Code = Field("", description="Secondary contact phone number")
    city: Name = Field("", description="City (required at confirmation)")
    postcode: Code = Field("", description="Postal code, 5 digits (required at confirmation)")
    street_name: Name = Field("", description="Street name (required at confirmation)")
    street_number: Code = Field("", description="Street number (required at confirmation)")
    street_number_extension: Code = Field("", description="Street number extension, e.g. B")
    insee_code: Code = Field("", description="INSEE municipality code, 5 characters")
    building_name: Name = Field("", description="Building name")
    level_number: Code = Field("", description="Floor")
    latitude: Number = Field(None, description="Address latitude, -90..90")
    longitude: Number = Field(None, description="Address longitude, -180..180")


MAX_CONTACTS = 2


def stored_contacts(contacts: list[ContactInformation]) -> list[dict[str, Any]]:
    return [c.model_dump() for c in contacts]


def address_words(contacts: list[dict[str, Any]]) -> list[str]:
    """The address and names of the contacts, for `search`."""
    keys = ("end_customer_name", "street_number", "street_name", "postcode", "city", "insee_code")
    return [str(c.get(k, "")) for c in contacts for k in keys]
