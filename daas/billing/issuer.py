"""The provider that issues invoices and credit notes, as the installation's settings describe it
(DAAS_ISSUER_*): the seller of every document (EN 16931 BG-4) and the bank account it is paid to."""

from __future__ import annotations

from dataclasses import dataclass

from daas.billing.documents import Address, Party, SchemeId


@dataclass(frozen=True)
class Issuer:
    name: str
    address_line1: str
    postcode: str
    city: str
    country: str
    vat_id: str
    registration_id: str  # scheme:value, a Peppol ICD scheme (0106:34110270 for a Dutch KvK number)
    peppol_id: str  # scheme:value, a Peppol EAS scheme; empty when the provider is not on Peppol
    email: str
    iban: str
    bic: str

    def party(self) -> Party:
        return Party(
            name=self.name,
            address=Address(self.country, self.address_line1, None, self.postcode, self.city),
            vat_id=self.vat_id or None,
            registration_id=SchemeId.parse(self.registration_id),
            electronic_address=SchemeId.parse(self.peppol_id),
            email=self.email or None,
        )
