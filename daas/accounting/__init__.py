"""The books of what was invoiced, credited, paid and refunded: the accounting journal a bookkeeper
imports, and each customer's account statement. It reads billing and payments and changes nothing.

accounts.py: the chart of accounts (settings `DAAS_ACCOUNT_*`); facts.py: what happened, as plain values;
journal.py: balanced entries and their CSV; balance.py: the statement's running balance; statement_pdf.py:
the statement as a PDF (all four pure); entries.py: the facts read from the database, the journal of a
range; statement.py: a customer's statement of a range.
"""
