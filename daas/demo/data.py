"""The demo's fixed facts: its customers (with what their invoices say of them: billing addresses,
registration and Peppol ids, a buyer reference, languages), metrics, plans, contracts with their fleets and
purchase orders, spare stock and users.

Kept apart from the code that loads them so the story can be read (and tests can name its customers and users)
without the loading machinery. Each entry carries its natural key, which is what makes loading twice safe.
"""

from __future__ import annotations

from decimal import Decimal

from daas.auth.roles import ADMIN, FINANCE, LOGISTICS
from daas.pricing.kinds import (
    COUNT,
    DEVICE_MONTHLY,
    GRADUATED,
    METERED,
    PACKAGE,
    PER_UNIT,
    SUM,
    UNIQUE_COUNT,
    VOLUME,
)

DEMO_PASSWORD = "daas-demo-2026"
ACTOR = "demo@daas.example"
DEMO_WIPE = {
    "method": "purge",
    "standard": "NIST SP 800-88 Rev. 1",
    "tool": "Blancco",
    "verified_by": "QA bench 2",
}

CUSTOMERS = [
    {
        "name": "Amsterdam Analytics B.V.",
        "country": "NL",
        "vat_id": "NL820646660B01",
        "currency": "EUR",
        "billing_email": "ap@amsterdam-analytics.example",
        "pickup_region": "NL-NH",
        "pickup_address": "Herengracht 420, 1017 BZ Amsterdam",
        "payment_terms_days": 30,
        "billing_address": {"line1": "Herengracht 420", "postcode": "1017 BZ", "city": "Amsterdam"},
        "registration_id": "0106:68750110",
        "peppol_id": "0106:68750110",
        "document_language": "en",  # its staff read English: the one customer off its country's language
    },
    {
        "name": "Berliner Baukontor GmbH",
        "country": "DE",
        "vat_id": "DE136695976",
        "currency": "EUR",
        "billing_email": "rechnungen@baukontor.example",
        "pickup_region": "DE-BE",
        "pickup_address": "Friedrichstrasse 100, 10117 Berlin",
        "payment_terms_days": 14,
        "billing_address": {"line1": "Friedrichstrasse 100", "postcode": "10117", "city": "Berlin"},
        "peppol_id": "9930:DE136695976",  # reachable by its VAT id; a German register number has no ICD
        "buyer_reference": "BK-IT-4711",  # the cost centre its accounts payable books IT on
    },
    {
        "name": "Hudson Legal LLP",
        "country": "US",
        "vat_id": None,
        "currency": "USD",
        "billing_email": "payables@hudsonlegal.example",
        "pickup_region": "US-NY",
        "pickup_address": "200 Park Avenue, New York, NY 10166",
        "payment_terms_days": 45,
        # Not on Peppol: its page says what is missing, its invoices are plain EN 16931.
        "billing_address": {
            "line1": "200 Park Avenue",
            "line2": "Suite 1700",
            "postcode": "10166",
            "city": "New York, NY",
        },
    },
    {
        "name": "Rotterdam Rederij N.V.",
        "country": "NL",
        "vat_id": "NL812345678B01",
        "currency": "EUR",
        "billing_email": "crediteuren@rederij.example",
        "pickup_region": "NL-ZH",
        "pickup_address": "Wilhelminakade 100, 3072 AP Rotterdam",
        "payment_terms_days": 30,
        "billing_address": {"line1": "Wilhelminakade 100", "postcode": "3072 AP", "city": "Rotterdam"},
        "registration_id": "0106:24123456",
        "peppol_id": "0106:24123456",
    },
    {
        "name": "Utrecht Zorggroep",
        "country": "NL",
        "vat_id": "NL853746333B01",
        "currency": "EUR",
        "billing_email": "finance@zorggroep.example",
        "pickup_region": "NL-UT",
        "pickup_address": "Catharijnesingel 50, 3511 GC Utrecht",
        "payment_terms_days": 30,
        "billing_address": {"line1": "Catharijnesingel 50", "postcode": "3511 GC", "city": "Utrecht"},
        "registration_id": "0106:30276543",
        "peppol_id": "0190:00000001830276543000",  # a care group reachable by its OIN, as public bodies are
    },
]

METRICS = [
    {"code": "support_tickets", "name": "Support tickets", "aggregation": COUNT, "field": None},
    {"code": "express_swaps", "name": "Express swaps", "aggregation": SUM, "field": None},
    {"code": "active_users", "name": "Active users", "aggregation": UNIQUE_COUNT, "field": "user"},
]

PLANS = [
    {
        "code": "laptop-std-36",
        "name": "Laptop Standard, 36 months",
        "currency": "EUR",
        "term_months": 36,
        "refresh_cycle_months": 36,
        "minimum_monthly_amount": Decimal("500.00"),
        "charges": [
            {"kind": DEVICE_MONTHLY, "unit_amount": Decimal("39.00")},
            {
                "kind": METERED,
                "metric": "support_tickets",
                "model": GRADUATED,
                "tiers": [
                    {"up_to": Decimal(10), "unit_amount": Decimal(0)},
                    {"up_to": None, "unit_amount": Decimal("15.00")},
                ],
            },
            {
                "kind": METERED,
                "metric": "express_swaps",
                "model": PER_UNIT,
                "unit_amount": Decimal("49.00"),
            },
        ],
    },
    {
        "code": "workplace-flex-24",
        "name": "Workplace Flex, 24 months",
        "currency": "EUR",
        "term_months": 24,
        "refresh_cycle_months": 24,
        "minimum_monthly_amount": None,
        "charges": [
            {"kind": DEVICE_MONTHLY, "device_model_sku": "DELL-LAT-7430", "unit_amount": Decimal("44.00")},
            {"kind": DEVICE_MONTHLY, "device_model_sku": "DELL-P2423D", "unit_amount": Decimal("9.50")},
            {
                "kind": DEVICE_MONTHLY,
                "device_model_sku": "DELL-OPX-7000-MFF",
                "unit_amount": Decimal("27.00"),
            },
            {"kind": DEVICE_MONTHLY, "device_model_sku": "GOOGLE-PIXEL-5", "unit_amount": Decimal("17.50")},
            {
                "kind": METERED,
                "metric": "active_users",
                "model": VOLUME,
                "tiers": [
                    {"up_to": Decimal(25), "unit_amount": Decimal("4.00")},
                    {"up_to": Decimal(100), "unit_amount": Decimal("3.20")},
                    {"up_to": None, "unit_amount": Decimal("2.50"), "flat_amount": Decimal("50.00")},
                ],
            },
            {
                "kind": METERED,
                "metric": "express_swaps",
                "model": PACKAGE,
                "unit_amount": Decimal("120.00"),
                "package_size": 3,
            },
        ],
    },
    {
        "code": "us-laptop-36",
        "name": "Laptop Standard US, 36 months",
        "currency": "USD",
        "term_months": 36,
        "refresh_cycle_months": 36,
        "minimum_monthly_amount": Decimal("300.00"),
        "charges": [
            {"kind": DEVICE_MONTHLY, "unit_amount": Decimal("42.00")},
            {
                "kind": METERED,
                "metric": "support_tickets",
                "model": PER_UNIT,
                "unit_amount": Decimal("20.00"),
            },
        ],
    },
]

# (customer, plan, months ago it started, fleet: [(sku, count)])
CONTRACTS = [
    (
        "Amsterdam Analytics B.V.",
        "laptop-std-36",
        18,
        [("DELL-LAT-5430", 14), ("DELL-LAT-7430", 6), ("DELL-P2423D", 4)],
    ),
    (
        "Berliner Baukontor GmbH",
        "workplace-flex-24",
        23,
        [("DELL-LAT-7430", 8), ("DELL-P2423D", 8), ("DELL-OPX-7000-MFF", 4), ("GOOGLE-PIXEL-5", 6)],
    ),
    ("Hudson Legal LLP", "us-laptop-36", 12, [("HP-EB-655-G9", 8), ("DELL-P2723D", 4)]),
    ("Utrecht Zorggroep", "workplace-flex-24", 6, [("DELL-LAT-7430", 4), ("GOOGLE-PIXEL-5", 2)]),
    # Ended eight months ago: its laptops came back at the end of the term and serve others now.
    ("Rotterdam Rederij N.V.", "laptop-std-36", 44, [("DELL-LAT-5430", 8), ("DELL-LAT-7430", 4)]),
]
# Agreements longer than their plan's term: Berlin signed for four years with a two-year refresh cycle, so
# its first devices fall due for a refresh about now (upgrade or replace, for the customer to decide).
TERMS = {"Berliner Baukontor GmbH": 48}
# The customer's purchase order its contract's invoices quote (BT-13); the others quote none.
PURCHASE_ORDERS = {"Hudson Legal LLP": "PO-HL-2025-0042", "Utrecht Zorggroep": "ZG-2026-118"}
SPARE_STOCK = [("DELL-LAT-5430", 3), ("DELL-U2723QE", 2), ("MS-SURFACE-PRO-8", 2)]

STAFF = [
    ("admin@daas.example", ADMIN),
    ("finance@daas.example", FINANCE),
    ("logistics@daas.example", LOGISTICS),
]
CUSTOMER_USERS = [
    ("it@amsterdam-analytics.example", "Amsterdam Analytics B.V."),
    ("it@baukontor.example", "Berliner Baukontor GmbH"),
    ("it@hudsonlegal.example", "Hudson Legal LLP"),
    # Amsterdam's head of IT approves orders over a person's monthly allowance (`can_approve`).
    ("approver@amsterdam-analytics.example", "Amsterdam Analytics B.V."),
]
APPROVERS = ("approver@amsterdam-analytics.example",)

# The people of each customer with a running contract: (name, e-mail before the customer's domain, cost
# centre, address (line1, line2, postcode, city) in the customer's country, monthly allowance in the
# contract currency or None). Their region is the customer's pickup region; the first few are handed one of
# the customer's devices on the load that creates them.
PEOPLE = {
    "Amsterdam Analytics B.V.": [
        (
            "Sanne de Vries",
            "sanne.devries",
            "Data Science",
            ("Prinsengracht 263", None, "1016 GV", "Amsterdam"),
            Decimal("50.00"),
        ),
        (
            "Daan Bakker",
            "daan.bakker",
            "Engineering",
            ("Overtoom 301", "3 hoog", "1054 HW", "Amsterdam"),
            Decimal("90.00"),
        ),
        (
            "Joris Mulder",
            "joris.mulder",
            "Finance",
            ("Kleine Houtstraat 70", None, "2011 DR", "Haarlem"),
            Decimal("80.00"),
        ),
        (
            "Thijs van Dijk",
            "thijs.vandijk",
            "Sales",
            ("Amstelveenseweg 500", None, "1081 KL", "Amsterdam"),
            Decimal("60.00"),
        ),
        ("Emma Smit", "emma.smit", "Data Science", ("Herengracht 420", None, "1017 BZ", "Amsterdam"), None),
        (
            "Lotte Visser",
            "lotte.visser",
            "Engineering",
            ("Javastraat 118", None, "1095 CM", "Amsterdam"),
            None,
        ),
        (
            "Fatima el Amrani",
            "fatima.elamrani",
            "Sales",
            ("Herengracht 420", None, "1017 BZ", "Amsterdam"),
            None,
        ),
    ],
    "Berliner Baukontor GmbH": [
        (
            "Jonas Schneider",
            "jonas.schneider",
            "Bauleitung",
            ("Kastanienallee 12", None, "10435", "Berlin"),
            Decimal("80.00"),
        ),
        ("Lena Fischer", "lena.fischer", "Planung", ("Bergmannstraße 45", None, "10961", "Berlin"), None),
        (
            "Maximilian Weber",
            "maximilian.weber",
            "Bauleitung",
            ("Friedrichstrasse 100", None, "10117", "Berlin"),
            Decimal("60.00"),
        ),
        (
            "Sophie Wagner",
            "sophie.wagner",
            "Einkauf",
            ("Schönhauser Allee 88", None, "10439", "Berlin"),
            None,
        ),
        ("Felix Becker", "felix.becker", "IT", ("Friedrichstrasse 100", None, "10117", "Berlin"), None),
        (
            "Anna Hoffmann",
            "anna.hoffmann",
            "Buchhaltung",
            ("Wilmersdorfer Straße 50", "Hinterhaus", "10627", "Berlin"),
            Decimal("60.00"),
        ),
        ("Paul Schulz", "paul.schulz", "Planung", ("Torstraße 140", None, "10119", "Berlin"), None),
    ],
    "Hudson Legal LLP": [
        (
            "Olivia Bennett",
            "olivia.bennett",
            "Litigation",
            ("200 Park Avenue", "Suite 1700", "10166", "New York, NY"),
            Decimal("100.00"),
        ),
        (
            "Marcus Reyes",
            "marcus.reyes",
            "Corporate",
            ("85 Clinton Street", "Apt 4B", "11201", "Brooklyn, NY"),
            None,
        ),
        (
            "Hannah Goldberg",
            "hannah.goldberg",
            "Litigation",
            ("340 East 64th Street", "Apt 12C", "10065", "New York, NY"),
            Decimal("84.00"),
        ),
        (
            "Daniel Okafor",
            "daniel.okafor",
            "Intellectual Property",
            ("31-17 Ditmars Boulevard", None, "11105", "Astoria, NY"),
            None,
        ),
        (
            "Emily Chen",
            "emily.chen",
            "Corporate",
            ("200 Park Avenue", "Suite 1700", "10166", "New York, NY"),
            None,
        ),
        (
            "Samuel Wright",
            "samuel.wright",
            "Operations",
            ("150 West 85th Street", None, "10024", "New York, NY"),
            Decimal("50.00"),
        ),
    ],
    "Utrecht Zorggroep": [
        (
            "Noor Jansen",
            "noor.jansen",
            "Wijkzorg",
            ("Oudegracht 150", None, "3511 AZ", "Utrecht"),
            Decimal("70.00"),
        ),
        (
            "Bram de Boer",
            "bram.deboer",
            "Wijkzorg",
            ("Amsterdamsestraatweg 220", None, "3551 CX", "Utrecht"),
            None,
        ),
        ("Eva Peters", "eva.peters", "ICT", ("Catharijnesingel 50", None, "3511 GC", "Utrecht"), None),
        (
            "Ruben Hendriks",
            "ruben.hendriks",
            "Administratie",
            ("Biltstraat 88", None, "3572 BK", "Utrecht"),
            Decimal("50.00"),
        ),
        (
            "Julia van Leeuwen",
            "julia.vanleeuwen",
            "Thuiszorg",
            ("Slotlaan 30", None, "3701 GK", "Zeist"),
            Decimal("30.00"),
        ),
        ("Sem Vos", "sem.vos", "Thuiszorg", ("Langestraat 60", None, "3811 AJ", "Amersfoort"), None),
    ],
}
# People handed one of their customer's devices (deployed, serving no one yet) when they are created.
PEOPLE_WITH_DEVICES = 4

# Orders of one customer, one in each state its users see, placed by its IT user. The devices the first
# three need are taken into stock for them (new, of models no one else stocks); the backordered one names a
# model no one has in stock; the requested one asks more than the person's allowance (two monitors at
# 39.00 a month each against 50.00) and waits for the approver above.
ORDERING_CUSTOMER = "Amsterdam Analytics B.V."
ORDERS_PLACED_BY = "it@amsterdam-analytics.example"
ORDERS = [
    {
        "state": "delivered",  # last month, its packaging on the contract's impact statement
        "person": "lotte.visser",
        "lines": [("DELL-LAT-5530", 1), ("DELL-P2422HA", 1)],
        "packaging": [("cardboard", "1.850"), ("moulded_pulp", "0.320"), ("recycled_plastic", "0.040")],
        "carrier": "PostNL",
        "tracking": "3SDEVC418276153",
    },
    {
        "state": "shipped",  # today, to be delivered on the next working day
        "person": "daan.bakker",
        "lines": [("HP-PB-445-G9", 1)],
        "packaging": [("cardboard", "1.200"), ("bagasse", "0.180")],
        "carrier": "DHL Express",
        "tracking": "JD014600007412",
    },
    {"state": "allocated", "person": "fatima.elamrani", "lines": [("MS-SURFACE-LAPTOP-3-15", 1)]},
    {"state": "backordered", "person": "joris.mulder", "lines": [("MS-SURFACE-PRO-X", 1)]},
    {"state": "requested", "person": "sanne.devries", "lines": [("DELL-P2422HA", 2)]},
]
# Delivery capacity, in shipments, on each of the next working days in every region people live in.
DELIVERY_SLOT_DAYS = 14
DELIVERY_CAPACITY = 6
