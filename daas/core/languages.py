"""The languages daas writes documents in, and which one a customer gets when it chose none
(documents.md): Dutch for the Netherlands and Belgium, German for Germany and Austria, French for France
and Luxembourg, English elsewhere."""

from __future__ import annotations

LANGUAGES = ("en", "nl", "de", "fr")
_BY_COUNTRY = {"NL": "nl", "BE": "nl", "DE": "de", "AT": "de", "FR": "fr", "LU": "fr"}


def default_language(country: str) -> str:
    return _BY_COUNTRY.get((country or "").upper(), "en")


def document_language(chosen: str | None, country: str) -> str:
    """The customer's own choice, else the default of its country."""
    return chosen if chosen in LANGUAGES else default_language(country)
