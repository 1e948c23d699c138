"""The serial rule. Pure: a serial in, the reason it is not one (or None) out.

A device is addressed by its serial in URL paths (`/api/v1/devices/<serial>`, the logistics pages), so a
serial may hold only characters that need no escaping in a path segment and survive every client's URL
normalisation: letters, digits and `-`, `_`, `.`, `:`, starting with a letter or a digit (so `.` and `..`,
which clients resolve away, cannot be serials), at most 64 characters. Manufacturers' serials (S4EWNX0R123,
5CD1234XYZ, C02XG0FDH7JY) and asset tags (DEMO-DELL-LAT-5430-001, NL:AMS:0042) fit; `/`, `?`, `#`, `%`,
spaces and control characters, which would leave a device unreachable, do not.
"""

from __future__ import annotations

import re

SERIAL_MAX_LENGTH = 64
SERIAL_PATTERN = rf"^[A-Za-z0-9][A-Za-z0-9._:\-]{{0,{SERIAL_MAX_LENGTH - 1}}}$"
SERIAL_MESSAGE = (
    f"A serial is 1 to {SERIAL_MAX_LENGTH} letters, digits and - _ . : starting with a letter or a digit."
)
_SERIAL = re.compile(SERIAL_PATTERN)


def serial_problem(serial: object) -> str | None:
    """Why `serial` cannot be a device's serial, or None when it can."""
    if not isinstance(serial, str) or not _SERIAL.fullmatch(serial):
        return SERIAL_MESSAGE
    return None
