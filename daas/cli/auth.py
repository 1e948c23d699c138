"""`flask daas users create|deactivate|reactivate` and `flask daas tokens create`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import click

from daas.auth import services
from daas.auth.roles import ROLES
from daas.core.errors import DomainError
from daas.usecases import auth as use_cases

users_group = click.Group("users", help="People who use daas.")
tokens_group = click.Group("tokens", help="API tokens.")

T = TypeVar("T")


def _carry_out(action: Callable[[], T]) -> T:
    """Run a command's one use case (which commits). A domain error ends the command (exit code 1) with
    its message and the fields at fault, the use case having rolled back."""
    try:
        return action()
    except DomainError as error:
        details = "; ".join(f"{field}: {' '.join(map(str, msgs))}" for field, msgs in error.errors.items())
        raise click.ClickException(f"{error.message}{' (' + details + ')' if details else ''}") from error


@users_group.command("create")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--customer", "customer_id", type=int, help="The customer a customer user belongs to.")
@click.option("--password", help="Lets the user sign in to the pages (10 characters or more).")
@click.option(
    "--can-approve", is_flag=True, help="A customer user who approves orders over a person's allowance."
)
def create_user_command(
    email: str, role: str, customer_id: int | None, password: str | None, can_approve: bool
) -> None:
    """Create a user with one role."""
    user = _carry_out(
        lambda: use_cases.create_user(email, role, customer_id, password, can_approve=can_approve)
    )
    approver = ", approves orders" if user.can_approve else ""
    click.echo(f"Created user {user.id}: {user.email} ({user.role}{approver})")


@users_group.command("deactivate")
@click.argument("email")
def deactivate_user_command(email: str) -> None:
    """Stop a user: every session of theirs ends at once, and no sign-in or API token works."""
    user = _carry_out(lambda: use_cases.deactivate_user(services.find_user_by_email(email).id))
    click.echo(f"Deactivated user {user.id}: {user.email}; signed out everywhere.")


@users_group.command("reactivate")
@click.argument("email")
def reactivate_user_command(email: str) -> None:
    """Let a deactivated user sign in and use their unrevoked tokens again."""
    user = _carry_out(lambda: use_cases.reactivate_user(services.find_user_by_email(email).id))
    click.echo(f"Reactivated user {user.id}: {user.email}.")


@tokens_group.command("create")
@click.argument("email")
@click.option("--name", default="cli", show_default=True, help="What the token is for.")
def create_token_command(email: str, name: str) -> None:
    """Issue an API token for a user; the token is printed alone on the last line, and only once."""
    record, token = _carry_out(lambda: use_cases.issue_token(services.find_user_by_email(email).id, name))
    user = record.user
    click.echo(f"Token {record.prefix}... for {user.email} ({user.role}); it is not shown again:")
    click.echo(token)
