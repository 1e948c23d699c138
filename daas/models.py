"""Every model, imported in one place so the metadata (and Alembic) always sees the whole schema."""

from daas.auth.models import ApiToken, User
from daas.billing.models import BilledUsage, BillingRun, CreditNote, DocumentSequence, Invoice, InvoiceLine
from daas.catalog.models import DeviceModel, DeviceModelListValue
from daas.charges.models import ChargeEvent, OneOffCharge
from daas.contracts.models import Contract, ContractPlan, ContractRenewal, Deployment
from daas.customers.models import Customer
from daas.devices.models import CustodyEvent, Device, HarvestedPart, WipeCertificate
from daas.idempotency.models import IdempotencyKey
from daas.impact.models import (
    GridFactorSet,
    ImpactDeviceState,
    ImpactLedgerRow,
    ImpactParameterSet,
    ImpactPeriodClose,
)
from daas.logistics.models import (
    BuyOutQuote,
    DeviceUpgrade,
    EndOfTermChoice,
    EndOfTermExtension,
    PickupSlot,
    RefreshOrder,
    ReturnOrder,
    ReturnOrderDevice,
)
from daas.notifications.models import (
    EmailMessage,
    NotificationPreference,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from daas.orders.models import (
    DeliverySlot,
    Order,
    OrderAllocation,
    OrderLine,
    Shipment,
    ShipmentDevice,
    ShipmentPackaging,
)
from daas.outbox.models import OutboxEvent
from daas.payments.models import Payment, PaymentAttempt, PaymentProfile, Refund, StripeEvent
from daas.people.models import Person
from daas.pricing.models import Metric, Plan, PlanCharge, PlanTier
from daas.scheduler.models import JobRun
from daas.usage.models import UsageEvent, UsageRevision
from daas.workshop.models import SavedScenario

__all__ = [
    "ApiToken",
    "BilledUsage",
    "BillingRun",
    "BuyOutQuote",
    "ChargeEvent",
    "Contract",
    "ContractPlan",
    "ContractRenewal",
    "CreditNote",
    "CustodyEvent",
    "Customer",
    "DeliverySlot",
    "Deployment",
    "Device",
    "DeviceModel",
    "DeviceModelListValue",
    "DeviceUpgrade",
    "DocumentSequence",
    "EmailMessage",
    "EndOfTermChoice",
    "EndOfTermExtension",
    "GridFactorSet",
    "HarvestedPart",
    "IdempotencyKey",
    "ImpactDeviceState",
    "ImpactLedgerRow",
    "ImpactParameterSet",
    "ImpactPeriodClose",
    "Invoice",
    "InvoiceLine",
    "JobRun",
    "Metric",
    "NotificationPreference",
    "OneOffCharge",
    "Order",
    "OrderAllocation",
    "OrderLine",
    "OutboxEvent",
    "Payment",
    "PaymentAttempt",
    "PaymentProfile",
    "Person",
    "PickupSlot",
    "Plan",
    "PlanCharge",
    "PlanTier",
    "RefreshOrder",
    "Refund",
    "ReturnOrder",
    "ReturnOrderDevice",
    "SavedScenario",
    "Shipment",
    "ShipmentDevice",
    "ShipmentPackaging",
    "StripeEvent",
    "UsageEvent",
    "UsageRevision",
    "User",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WipeCertificate",
]
