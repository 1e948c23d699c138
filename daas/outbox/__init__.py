"""The outbox: every business event someone should hear of, written in the transaction that makes it
true. Delivering it (e-mails, webhooks) is daas.notifications' work, after the commit."""
