"""Vietnamese phone numbers, read and written with ``phonenumbers`` (Google's libphonenumber
data: mobile and landline ranges, the 2018 change to 10-digit mobiles). Stored in one form
(E.164, ``+84912345678``); shown as people write them (``0912 345 678``)."""

from __future__ import annotations

import phonenumbers


def normalise_phone(text: str) -> str | None:
    """The number in E.164, or None when it is not a valid Vietnamese (or international) number."""
    try:
        number = phonenumbers.parse(text, "VN")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def show_phone(stored: str) -> str:
    """A stored number as people in Vietnam write it (a foreign one in international form)."""
    if not stored:
        return ""
    try:
        number = phonenumbers.parse(stored, "VN")
    except phonenumbers.NumberParseException:
        return stored
    if number.country_code == 84:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
