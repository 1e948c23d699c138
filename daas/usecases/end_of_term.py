"""The end of a contract's term, device by device, each one transaction: the view of the devices with
their choices and buy-out quotes (it stores the quotes it gives, so it commits too), and the customer's
choices (return, extend, buy out: the charge, the sale, the extension and the return orders, all of it
or nothing).

The API and the portal start them; the rules are in daas.logistics.end_of_term, which flushes and raises
but never commits.
"""

from __future__ import annotations

from daas.logistics import end_of_term
from daas.usecases.transaction import use_case

end_of_term_choices = use_case(end_of_term.end_of_term_view)
choose_end_of_term = use_case(end_of_term.choose_end_of_term)
