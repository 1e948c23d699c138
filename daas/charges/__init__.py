"""One-off charges on contracts: added by finance, proposed by logistics, disputed by customers, and
billed once, by the finalized invoice that holds them."""
