"""How a use case ends its transaction: committed when it returns, rolled back when it raises.

Domain functions flush, lock rows and raise domain errors, but never commit: whether their writes stand is
decided once, here, by the workflow that called them. A workflow that must make part of its work durable
before going on (a billing run commits chunk by chunk; a card payment records its attempt before Stripe is
called) calls `commit()` at those points, and only use cases do.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

from daas.extensions import db

P = ParamSpec("P")
R = TypeVar("R")


def use_case(function: Callable[P, R]) -> Callable[P, R]:
    """Run `function` as one transaction: commit its writes when it returns, roll them back when it raises
    (the error goes on to the entry point, which shows it). A workflow that is one domain call is written
    `deploy_device = use_case(services.deploy_device)`: the domain function's name, signature and docstring,
    in a transaction of its own."""

    @functools.wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            result = function(*args, **kwargs)
        except BaseException:
            db.session.rollback()
            raise
        db.session.commit()
        return result

    return run


@contextmanager
def savepoint() -> Iterator[None]:
    """A part of a use case that may fail alone: its writes are undone when it raises, the rest stand."""
    with db.session.begin_nested():
        yield


def commit() -> None:
    """Make the work so far durable, part-way through a use case (see the module's docstring)."""
    db.session.commit()


def roll_back() -> None:
    """Drop the uncommitted work of a use case that handles the error itself and goes on."""
    db.session.rollback()
