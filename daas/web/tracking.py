"""A carrier's tracking page for a tracking number, for the carriers whose public page takes the number in
its address; for another carrier the pages show the number alone. Presentation only: nothing is called."""

from __future__ import annotations

from urllib.parse import quote

TRACKING_PAGES = {
    "dhl": "https://www.dhl.com/global-en/home/tracking/tracking-parcel.html?submit=1&tracking-id={}",
    "dpd": "https://tracking.dpd.de/status/en_US/parcel/{}",
    "ups": "https://www.ups.com/track?tracknum={}",
    "postnl": "https://jouw.postnl.nl/track-and-trace/{}",
    "gls": "https://gls-group.com/track/{}",
    "fedex": "https://www.fedex.com/fedextrack/?trknbr={}",
}


def tracking_url(carrier: str | None, tracking: str | None) -> str | None:
    """The carrier's tracking page of this number ("DHL Express" is DHL's), or None."""
    if not carrier or not tracking:
        return None
    words = carrier.strip().lower().replace("-", " ").split()
    page = TRACKING_PAGES.get(words[0]) if words else None
    return page.format(quote(tracking.strip(), safe="")) if page else None
