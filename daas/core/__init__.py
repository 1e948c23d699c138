"""Pure building blocks (money, countries, dates, clock): no Flask, no SQLAlchemy."""
