"""Text for PDFs set in the built-in Helvetica fonts, which cover Windows-1252 only.

Letters outside it (Polish "Ł", Czech "ř", ...) would print as black boxes, so they are transliterated to
their base letter ("Łódź" → "Lódz") and anything else becomes "?". Documents keep the original text in
their metadata.
"""

from __future__ import annotations

import unicodedata

# Letters that have no decomposition to a base letter but an obvious ASCII spelling.
_TRANSLITERATIONS = str.maketrans(
    {"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h", "ı": "i", "Ŀ": "L", "ŀ": "l", "ŉ": "n"}
)


def printable(text: str) -> str:
    """Text that the Helvetica fonts (Windows-1252) can show: other letters lose their accents, else "?"."""
    out = []
    for char in text:
        try:
            char.encode("cp1252")
        except UnicodeEncodeError:
            base = unicodedata.normalize("NFKD", char.translate(_TRANSLITERATIONS))
            base = "".join(c for c in base if not unicodedata.combining(c))
            try:
                base.encode("cp1252")
            except UnicodeEncodeError:
                base = "?"
            out.append(base or "?")
        else:
            out.append(char)
    return "".join(out)
