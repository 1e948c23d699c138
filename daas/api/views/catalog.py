"""REST: /api/v1/device-models."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from daas.api.access import EVERYONE, access
from daas.api.base import Blueprint, page_window
from daas.catalog import services
from daas.schemas.catalog import (
    DeviceModelCreateSchema,
    DeviceModelQuerySchema,
    DeviceModelSchema,
    DeviceModelUpdateSchema,
)
from daas.usecases import catalog as use_cases

blp = Blueprint("device-models", __name__, url_prefix="/api/v1/device-models", description="Device catalog")


@blp.route("")
class DeviceModels(MethodView):
    @access(blp, *EVERYONE)
    @blp.arguments(DeviceModelQuerySchema, location="query")
    @blp.response(200, DeviceModelSchema(many=True))
    @blp.paginate()
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """List device models."""
        rows, pagination_parameters.item_count = services.list_device_models(
            args.get("category"), args.get("manufacturer"), *page_window(pagination_parameters)
        )
        return rows

    @access(blp)
    @blp.arguments(DeviceModelCreateSchema)
    @blp.response(201, DeviceModelSchema)
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data: dict[str, Any]) -> Any:
        """Add a device model to the catalog."""
        return use_cases.create_device_model(data)


@blp.route("/<id:model_id>")
class DeviceModelById(MethodView):
    @access(blp, *EVERYONE)
    @blp.response(200, DeviceModelSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, model_id: int) -> Any:
        """Show a device model."""
        return services.get_device_model(model_id)

    @access(blp)
    @blp.arguments(DeviceModelUpdateSchema(partial=True))
    @blp.response(200, DeviceModelSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def patch(self, data: dict[str, Any], model_id: int) -> Any:
        """Correct a device model's figures."""
        return use_cases.update_device_model(model_id, data)
