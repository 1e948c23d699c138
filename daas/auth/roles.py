"""The four roles a user can have, named once: models, services, access checks and pages all use these
names instead of spelling the words again (a typo in a spelled role would silently open or close a door).

Pure values, no database: the principal, the API's access decorator and the pages' audiences import them.
"""

from __future__ import annotations

ADMIN = "admin"
FINANCE = "finance"
LOGISTICS = "logistics"
CUSTOMER = "customer"

ROLES = (ADMIN, FINANCE, LOGISTICS, CUSTOMER)
# The people who run the platform; a customer user belongs to one customer and sees only it.
STAFF = (ADMIN, FINANCE, LOGISTICS)
