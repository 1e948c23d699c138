"""Contract workflows, each one transaction: sign a contract, change the references its documents quote,
terminate it early, deploy a device on it, and end a deployment when the device is handed back in person."""

from __future__ import annotations

from daas.contracts import services
from daas.usecases.transaction import use_case

sign_contract = use_case(services.create_contract)
change_contract = use_case(services.update_contract)
terminate_contract = use_case(services.terminate_contract)
deploy_device = use_case(services.deploy_device)
hand_back_device = use_case(services.end_deployment)
