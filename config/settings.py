"""The defaults of each environment. Environment variables override them (see `config.load_settings`)."""

from __future__ import annotations


class BaseConfig:
    # Database: SQLite in the instance folder unless DATABASE_URL says otherwise (set by the factory).
    DATABASE_URL = ""
    SQLALCHEMY_DATABASE_URI = ""
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SECRET_KEY = ""

    # Requests: bodies above this size are refused with 413 before they are parsed.
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    JSON_SORT_KEYS = False

    # OpenAPI document and its docs page (assets served by the app itself).
    API_TITLE = "daas"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api"
    OPENAPI_JSON_PATH = "v1/openapi.json"

    # Business settings: the provider that issues invoices (the seller on every invoice and credit note;
    # production must set each of them). Identifiers with a scheme are `scheme:value`: the registration id
    # with a Peppol ICD scheme (0106 = Dutch KvK number), the Peppol id with an EAS scheme.
    DAAS_ISSUER_COUNTRY = "NL"
    DAAS_ISSUER_NAME = "daas Circular Devices B.V."
    DAAS_ISSUER_ADDRESS_LINE1 = "Keizersgracht 1"
    DAAS_ISSUER_POSTCODE = "1015 CC"
    DAAS_ISSUER_CITY = "Amsterdam"
    DAAS_ISSUER_VAT_ID = "NL004495445B01"
    DAAS_ISSUER_REGISTRATION_ID = "0106:34110270"
    DAAS_ISSUER_PEPPOL_ID = "0106:34110270"
    DAAS_ISSUER_EMAIL = "billing@daas.example"
    DAAS_ISSUER_IBAN = "NL91ABNA0417164300"
    DAAS_ISSUER_BIC = "ABNANL2A"
    DAAS_DEFAULT_PAYMENT_TERMS_DAYS = 30
    # The accounting journal's chart of accounts (docs/billing.md "Accounting journal"): each is an account
    # code, optionally followed by its name. VAT of a rate can have its own account: `21=1510; 9=1520 Name`
    # (rates in percent); the rates not named there post to DAAS_ACCOUNT_VAT_PAYABLE.
    DAAS_ACCOUNT_RECEIVABLES = "1300 Trade receivables"
    DAAS_ACCOUNT_BANK = "1100 Bank"
    DAAS_ACCOUNT_STRIPE_CLEARING = "1190 Stripe clearing"
    DAAS_ACCOUNT_VAT_PAYABLE = "1500 VAT payable"
    DAAS_ACCOUNT_VAT_PAYABLE_BY_RATE = ""
    DAAS_ACCOUNT_REVENUE_DEVICE_MONTHLY = "8000 Revenue device subscriptions"
    DAAS_ACCOUNT_REVENUE_METERED = "8010 Revenue metered usage"
    DAAS_ACCOUNT_REVENUE_MINIMUM_TRUE_UP = "8020 Revenue minimum true-up"
    DAAS_ACCOUNT_REVENUE_LATE_USAGE = "8030 Revenue late usage"
    DAAS_ACCOUNT_REVENUE_ONE_OFF = "8040 Revenue one-off charges"
    DAAS_ACCOUNT_CREDIT = "8090 Credit notes on invoice amounts"
    DAAS_PAGE_SIZE_MAX = 200
    # Billing runs commit every this many contracts, so a killed run keeps its finished chunks.
    DAAS_BILLING_CHUNK_SIZE = 1000
    # Milliseconds to pause between chunks (0: none): spares a busy database; lets tests stop a run mid-way.
    DAAS_BILLING_THROTTLE_MS = 0
    # A running billing run renews its heartbeat after every chunk; one silent for this long lost its
    # process and shows as interrupted (the next run of its period completes it).
    DAAS_BILLING_RUN_STALE_SECONDS = 600

    # Stripe. Without an API key daas runs in manual mode: invoices are paid by bank transfer, which
    # finance records. STRIPE_API_BASE and STRIPE_JS_URL point at localstripe in tests.
    STRIPE_API_KEY = ""
    STRIPE_PUBLISHABLE_KEY = ""
    STRIPE_API_BASE = "https://api.stripe.com"
    STRIPE_WEBHOOK_SECRET = ""
    STRIPE_JS_URL = "https://js.stripe.com/v3/"
    # Takeback and refresh (logistics.md): a new return order books the earliest slot with room within
    # this many days of the requested date; the planner looks this far ahead; an upgrade (instead of a
    # replacement) needs this battery health and extends the device's life by these months.
    DAAS_BOOKING_WINDOW_DAYS = 14
    DAAS_REFRESH_LEAD_DAYS = 60
    # What a contract's end costs (docs/contract-changes.md): the share of the remaining commitment an early
    # termination charges, the countries besides the issuer's where devices may be bought out, what each
    # grade leaves of a buy-out price, and the damage fees per currency, category and grade.
    DAAS_EARLY_TERMINATION_SHARE = "0.5"
    DAAS_BUYOUT_COUNTRIES = ""
    DAAS_BUYOUT_GRADE_FACTORS = "A=1.0, B=0.85, C=0.6, D=0.3"
    DAAS_DAMAGE_FEES = (
        "EUR:laptop:C=90.00, EUR:laptop:D=250.00, EUR:monitor:C=40.00, EUR:monitor:D=120.00, "
        "EUR:phone:C=60.00, EUR:phone:D=150.00, EUR:tablet:C=60.00, EUR:tablet:D=150.00"
    )
    DAAS_UPGRADE_MIN_BATTERY = 80
    DAAS_UPGRADE_EXTENSION_MONTHS = 12
    # What the what-if planner (docs/scenarios-api.md) counts for one upgrade, per currency: CUR=amount,
    # comma-separated; a fleet in a currency left out counts its upgrades free.
    DAAS_WORKSHOP_UPGRADE_FEES = "EUR=79.00, GBP=69.00, USD=89.00"
    # Days after the first failed card payment on which it is tried again; after the last, uncollectible.
    DAAS_DUNNING_RETRY_DAYS = "3,7,14"
    # How long a worker may hold a payment attempt while it talks to Stripe.
    DAAS_PAYMENT_CLAIM_SECONDS = 120
    # Minutes after a failed attempt at processing a Stripe event before the payments job tries it again,
    # one delay per failure; when they are used up (1 + their number attempts) the event is given up and
    # stays failed for finance (Finance > Stripe events, GET /api/v1/webhook-events?status=failed).
    DAAS_WEBHOOK_RETRY_MINUTES = "1,5,30,120,720"

    # Notifications (docs/notifications.md). "catch" keeps e-mails in daas (shown on the admin outbox
    # page) instead of sending them: the default until an SMTP server is set up; "smtp" sends them.
    DAAS_MAIL_BACKEND = "catch"
    DAAS_SMTP_HOST = "127.0.0.1"
    DAAS_SMTP_PORT = 25
    DAAS_SMTP_SECURITY = "none"  # none | starttls | ssl
    DAAS_SMTP_USER = ""
    DAAS_SMTP_PASSWORD = ""
    DAAS_SMTP_TIMEOUT_SECONDS = 30
    DAAS_MAIL_FROM = "daas <notifications@daas.example>"
    DAAS_STAFF_EMAILS = ""  # besides the admins: who hears of failed jobs
    DAAS_PUBLIC_URL = "http://127.0.0.1:5000"
    DAAS_EMAIL_RETRY_MINUTES = "1,5,15,60,240"
    # Outbound webhooks: doubling waits from a minute to twelve hours, a little over three days in all.
    DAAS_OUTBOUND_WEBHOOK_RETRY_MINUTES = "1,2,4,8,16,32,64,128,256,512,720,720,720,720,720"
    DAAS_WEBHOOK_DISABLE_AFTER_HOURS = 72
    DAAS_WEBHOOK_TIMEOUT_SECONDS = 10
    # Private, loopback and link-local addresses webhooks may still reach (CIDR list); none by default.
    DAAS_WEBHOOK_ALLOWED_NETWORKS = ""
    DAAS_NOTIFICATION_LEASE_SECONDS = 300
    DAAS_NOTIFICATION_BATCH_SIZE = 100
    DAAS_NOTIFICATION_SWEEP_SECONDS = 5.0  # seconds, fractions allowed
    DAAS_OVERDUE_REMINDER_DAYS = "1,7,14"
    DAAS_END_OF_TERM_NOTICE_DAYS = "90,60,30"

    # Sign-in attempts allowed per address and e-mail, and per address (Flask-Limiter syntax); where the
    # counts live: memory:// counts per process, redis://host:6379 shares them between servers.
    DAAS_LOGIN_RATE_LIMIT = "10 per minute"
    DAAS_LOGIN_RATE_LIMIT_PER_ADDRESS = "60 per minute"
    DAAS_RATELIMIT_STORAGE_URI = "memory://"
    # Failed sign-ins per e-mail address, counted in the database (so across workers and servers): this many
    # within DAAS_LOGIN_LOCKOUT_SECONDS lock the address for that long, even for the right password (0: off).
    DAAS_LOGIN_MAX_FAILURES = 10
    DAAS_LOGIN_LOCKOUT_SECONDS = 15 * 60
    # Strict-Transport-Security max-age (with includeSubDomains) on every answer served over HTTPS; 0: none.
    DAAS_HSTS_SECONDS = 365 * 24 * 3600
    # Session cookies: out of reach of scripts, and not sent with cross-site requests other than following
    # a link. Production sends them over HTTPS only (below).
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # Reverse proxies in front of the web servers whose X-Forwarded-* headers are trusted (0: none).
    DAAS_TRUSTED_PROXIES = 0

    # Scheduled jobs (config/jobs.py): cron expressions in UTC (5 fields, or 6 with seconds first; "off"
    # disables a job) and the grace in seconds within which a run missed while no scheduler ran is caught up.
    DAAS_SCHEDULE_BILLING_RUN = "0 2 1 * *"  # drafts for the previous month, the 1st at 02:00
    DAAS_SCHEDULE_BILLING_FINALIZE = "0 2 3 * *"  # after two days of review; needs DAAS_BILLING_AUTO_FINALIZE
    DAAS_SCHEDULE_RENEW_CONTRACTS = "30 3 * * *"  # before the end-of-term returns round
    DAAS_SCHEDULE_REFRESH_PLAN = "0 4 * * *"
    DAAS_SCHEDULE_END_OF_TERM_RETURNS = "30 4 * * *"
    DAAS_SCHEDULE_ALLOCATE_BACKORDERS = "0 5 * * *"  # after the refresh round
    DAAS_SCHEDULE_PAYMENT_RETRIES = "0 * * * *"
    DAAS_SCHEDULE_IMPACT_CLOSE = "0 3 3 * *"  # after the billing month is final
    DAAS_SCHEDULE_NOTICES = "15 6 * * *"  # overdue reminders and end-of-term notices, after the renewals
    DAAS_BILLING_AUTO_FINALIZE = False
    DAAS_GRACE_BILLING_RUN = 7 * 24 * 3600
    DAAS_GRACE_BILLING_FINALIZE = 7 * 24 * 3600
    DAAS_GRACE_RENEW_CONTRACTS = 24 * 3600
    DAAS_GRACE_REFRESH_PLAN = 24 * 3600
    DAAS_GRACE_END_OF_TERM_RETURNS = 24 * 3600
    DAAS_GRACE_ALLOCATE_BACKORDERS = 24 * 3600
    DAAS_GRACE_PAYMENT_RETRIES = 3600
    DAAS_GRACE_IMPACT_CLOSE = 7 * 24 * 3600
    DAAS_GRACE_NOTICES = 24 * 3600
    # A scheduler renews its hold on a running job every third of the lease; a run whose lease ran out (its
    # process died) is taken over by another scheduler. Every sweep each scheduler looks for runs it missed.
    DAAS_SCHEDULER_LEASE_SECONDS = 60
    DAAS_SCHEDULER_SWEEP_SECONDS = 30
    # Every sweep a scheduler also joins a billing run that is going (its own or another process's): a
    # second scheduler shortens a run. Off: only the process that started a run works on it.
    DAAS_SCHEDULER_JOIN_BILLING_RUNS = True
    # On SIGTERM a running job is asked to stop at its next safe point and waited for this long.
    DAAS_SCHEDULER_STOP_SECONDS = 30
    # A run that starts this long after its due time is a catch-up, and its record says so.
    DAAS_SCHEDULER_LATE_SECONDS = 60


class DevelopmentConfig(BaseConfig):
    SECRET_KEY = "dev-only-secret-key-change-me"
    # A receiver on this machine may be tried out with make run.
    DAAS_WEBHOOK_ALLOWED_NETWORKS = "127.0.0.0/8, ::1/128"


class TestingConfig(BaseConfig):
    TESTING = True
    SECRET_KEY = "testing-secret-key"
    # The suite signs in hundreds of times a minute from 127.0.0.1; the rate-limit test sets its own limit.
    DAAS_LOGIN_RATE_LIMIT = "10000 per minute"
    DAAS_LOGIN_RATE_LIMIT_PER_ADDRESS = "10000 per minute"
    DAAS_WEBHOOK_ALLOWED_NETWORKS = "127.0.0.0/8, ::1/128"


class ProductionConfig(BaseConfig):
    """Starts only with SECRET_KEY and DATABASE_URL set in the environment. Served over HTTPS (a TLS proxy
    in front), so cookies are never sent in clear."""

    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    # The seller printed on every invoice: no demo company in production, each must come from the
    # environment (start-up names the first one missing).
    DAAS_ISSUER_NAME = ""
    DAAS_ISSUER_ADDRESS_LINE1 = ""
    DAAS_ISSUER_POSTCODE = ""
    DAAS_ISSUER_CITY = ""
    DAAS_ISSUER_VAT_ID = ""
    DAAS_ISSUER_REGISTRATION_ID = ""
    DAAS_ISSUER_PEPPOL_ID = ""  # optional: set it once the provider is on Peppol
    DAAS_ISSUER_EMAIL = ""
    DAAS_ISSUER_IBAN = ""
    DAAS_ISSUER_BIC = ""
