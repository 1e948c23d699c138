"""What the e-mails say, one module per document language (pure data): for each event type its subject,
its sentences and its button, and the words every e-mail shares (greeting, closing, why it was sent).

Every language has the same keys and, in each text, the same `{fields}` (tests/unit/test_email_wording.py):
a translator changes the words, never the keys. daas.notifications.wording picks the sentences an event
needs and fills the fields in.
"""

from __future__ import annotations

from types import ModuleType

from daas.notifications.phrases import de, en, fr, nl

_BY_LANGUAGE: dict[str, ModuleType] = {"en": en, "nl": nl, "de": de, "fr": fr}


def phrases(language: str) -> ModuleType:
    """The module of `language` (COMMON, NOUNS, CHARGE_KINDS, EVENTS); ValueError for another language."""
    try:
        return _BY_LANGUAGE[language]
    except KeyError:
        raise ValueError(f"no e-mail phrases in {language!r}") from None


LANGUAGES = tuple(_BY_LANGUAGE)
