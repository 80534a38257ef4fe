"""The `id` path converter, registered once when this module is first imported.

Every app's urls.py imports it before using `<id:...>`.
"""

from django.urls import register_converter


class IdConverter:
    """A row's id in a page's address: a number no larger than the database can hold.

    Django's `int` takes any length, and a 20-digit id made SQLite raise
    OverflowError (500); past the largest id there is no such page (404).
    """

    regex = "[0-9]{1,19}"
    largest = 2**63 - 1

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > self.largest:
            raise ValueError(value)  # no match: 404
        return number

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")
