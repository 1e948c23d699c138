"""Contract workflows, each one transaction: sign a contract, change the references its documents quote
and its renewal settings, terminate it early, deploy a device on it, end a deployment when the device is
handed back in person, and the daily round that renews the contracts reaching their end date."""

from __future__ import annotations

from daas.contracts import renewal, services
from daas.usecases.transaction import use_case

sign_contract = use_case(services.create_contract)
change_contract = use_case(services.update_contract)
terminate_contract = use_case(services.terminate_contract)
deploy_device = use_case(services.deploy_device)
hand_back_device = use_case(services.end_deployment)
renew_due_contracts = use_case(renewal.renew_due_contracts)
