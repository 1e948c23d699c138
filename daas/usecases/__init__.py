"""Use cases: one function per workflow that an entry point starts, and the only code that commits.

An API view, a page, a command or a scheduled job parses its input, calls exactly one use case and shows
the result. The use case calls the domains (which flush, lock and raise, but never commit or roll back)
and ends the transaction: committed when it returns, rolled back when it raises. Workflows that cross
domains (finalize a run, then collect its invoices) are put together here, once.
"""
