"""Memberships API: a property's hosts (owners invite and remove co-hosts) and the operator's routes
(create a property with its first owner, register a booking engine). Thin: parse, one call, shape."""

from __future__ import annotations

import os
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any, cast

import botocore.session
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from revenir.core import clock
from revenir.core.settings import TableSettings, load
from revenir.http.app import create_app, json_response
from revenir.http.params import PropertyId
from revenir.members.cognito import CognitoDirectory
from revenir.members.models import BookingEngine, BookingEngineProperties, Invitation, Member, NewProperty, Tenancy
from revenir.members.service import MembershipService, caller_email, require_operator
from revenir.members.store import MembershipStore

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

logger = Logger(service="identity")
metrics = Metrics(namespace="Revenir", service="identity")
app = create_app()

ClientId = Annotated[str, Path(pattern=r"^[a-z0-9]{1,128}$", description="The booking engine's app client id.")]
MemberEmail = Annotated[str, Path(min_length=3, max_length=254, description="The member's e-mail address.")]


@cache
def service() -> MembershipService:
    session = botocore.session.get_session()
    store = MembershipStore(cast("DynamoDBClient", session.create_client("dynamodb")), load(TableSettings).table_name)
    directory = CognitoDirectory(session.create_client("cognito-idp"), os.environ.get("USER_POOL_ID", ""))
    return MembershipService(store, directory)


def _claims() -> dict[str, Any] | None:
    authorizer = app.current_event.request_context.authorizer
    return authorizer.jwt_claim if authorizer else None


@app.get("/v1/admin/properties/<property_id>/members", summary="List a property's hosts", tags=["Members"])
def list_members(property_id: PropertyId) -> dict[str, list[Member]]:
    return {"members": service().members(property_id)}


@app.post("/v1/admin/properties/<property_id>/members", summary="Invite a co-host (owners only)", tags=["Members"],
          responses={200: {"description": "Already a member with this role"}, 201: {"description": "Invited"}})
def invite_member(property_id: PropertyId, body: Annotated[Invitation, Body()]) -> Response[Member]:
    member, changed = service().invite(caller_email(_claims()), property_id, body, clock.iso(clock.now()))
    if changed:
        metrics.add_metric(name="HostInvited", unit="Count", value=1)
    return json_response(201 if changed else 200, member)


@app.delete("/v1/admin/properties/<property_id>/members/<email>", summary="Remove a host (owners only)",
            tags=["Members"], responses={204: {"description": "Removed"}})
def remove_member(property_id: PropertyId, email: MemberEmail) -> Response[None]:
    service().remove(caller_email(_claims()), property_id, email.strip().lower())
    return Response(status_code=204)


@app.post("/v1/operator/properties", summary="Create a property with its first owner (operators only)",
          tags=["Operator"], responses={201: {"description": "Created"}})
def create_property(body: Annotated[NewProperty, Body()]) -> Response[Tenancy]:
    operator = require_operator(_claims())
    tenancy = service().create_property(body, operator, clock.iso(clock.now()))
    metrics.add_metric(name="PropertyCreated", unit="Count", value=1)
    return json_response(201, tenancy)


@app.put("/v1/operator/booking-engines/<client_id>/properties",
         summary="Let a booking engine's client act for more properties (operators only)", tags=["Operator"])
def register_booking_engine(client_id: ClientId, body: Annotated[BookingEngineProperties, Body()]) -> BookingEngine:
    require_operator(_claims())
    return service().register_booking_engine(client_id, body, clock.iso(clock.now()))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
