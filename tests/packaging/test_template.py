"""template.yaml's production wiring: sign-in, scopes, logs, alarms and the dashboard (read as CloudFormation
reads it, through the local runtime's parser)."""

from __future__ import annotations

import re

from local.template import ROOT, _Tag, load

# Routes only booking engines call (server to server), and the OAuth scope each needs.
SERVER_TO_SERVER = {
    ("PUT", "/v1/properties/{property_id}/bookings/{booking_id}"): "revenir/bookings",
    ("POST", "/v1/properties/{property_id}/carts"): "revenir/bookings",
    ("PUT", "/v1/properties/{property_id}/carts/{cart_id}"): "revenir/bookings",
    ("POST", "/v1/properties/{property_id}/redemptions"): "revenir/redemptions",
    ("POST", "/v1/properties/{property_id}/redemptions/{booking_id}/confirm"): "revenir/redemptions",
    ("DELETE", "/v1/properties/{property_id}/redemptions/{booking_id}"): "revenir/redemptions",
    ("POST", "/v1/properties/{property_id}/vouchers/redeem"): "revenir/redemptions",
    ("DELETE", "/v1/properties/{property_id}/vouchers/redemptions/{booking_id}"): "revenir/redemptions",
    ("PUT", "/v1/properties/{property_id}/pending-payments/{booking_id}"): "revenir/bookings",
    ("DELETE", "/v1/properties/{property_id}/pending-payments/{booking_id}"): "revenir/bookings",
    ("GET", "/v1/properties/{property_id}/package-holdings/{code}"): "revenir/redemptions",
    ("POST", "/v1/properties/{property_id}/package-holdings/consume"): "revenir/redemptions",
    ("DELETE", "/v1/properties/{property_id}/package-holdings/consumptions/{booking_id}"): "revenir/redemptions",
}


def _resources() -> dict[str, dict]:  # type: ignore[type-arg]
    return load().raw["Resources"]  # type: ignore[no-any-return]


def _ref(value: object) -> str | None:
    return str(value.value) if isinstance(value, _Tag) and value.name in ("Ref", "GetAtt") else None


def test_tenancy_never_comes_from_a_user_writable_attribute() -> None:
    pool = _resources()["HostsUserPool"]["Properties"]
    assert "Schema" not in pool  # no custom attribute at all
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    trigger = pool["LambdaConfig"]["PreTokenGenerationConfig"]
    assert trigger["LambdaVersion"] == "V3_0"  # access-token claims, client credentials included
    assert _ref(trigger["LambdaArn"]) == "PreTokenFunction.Arn"
    assert pool["UserPoolTier"] == "ESSENTIALS"  # V2/V3 events need the Essentials plan
    client = _resources()["HostsUserPoolClient"]["Properties"]
    assert client["GenerateSecret"] is False and client["AllowedOAuthFlows"] == ["code"]  # PKCE public client
    assert all(not a.startswith("custom:") for a in client["WriteAttributes"])


def test_server_to_server_routes_need_their_scope() -> None:
    found = {}
    for res in _resources().values():
        if res["Type"] != "AWS::Serverless::Function":
            continue
        for event in (res["Properties"].get("Events") or {}).values():
            if event["Type"] != "HttpApi":
                continue
            props = event["Properties"]
            scopes = (props.get("Auth") or {}).get("AuthorizationScopes")
            if scopes:
                found[(props["Method"].upper(), props["Path"])] = scopes
    assert found == {route: [scope] for route, scope in SERVER_TO_SERVER.items()}
    resource_server = _resources()["RevenirResourceServer"]["Properties"]
    declared = {f"{resource_server['Identifier']}/{s['ScopeName']}" for s in resource_server["Scopes"]}
    assert set(SERVER_TO_SERVER.values()) == declared
    assert set(_resources()["BookingEngineClient"]["Properties"]["AllowedOAuthScopes"]) == declared


def test_every_function_has_a_log_group_with_retention_and_an_errors_alarm() -> None:
    resources = _resources()
    alarmed = {_ref(d["Value"]) for r in resources.values() if r["Type"] == "AWS::CloudWatch::Alarm"
               for d in r["Properties"].get("Dimensions", []) if r["Properties"].get("MetricName") == "Errors"}
    for name, res in resources.items():
        if res["Type"] != "AWS::Serverless::Function":
            continue
        group = _ref(res["Properties"]["LoggingConfig"]["LogGroup"])
        assert group and resources[group]["Type"] == "AWS::Logs::LogGroup", name
        assert _ref(resources[group]["Properties"]["RetentionInDays"]) == "LogRetentionDays", name
        assert name in alarmed, f"{name} has no Errors alarm"


def test_the_dashboard_shows_every_business_metric_the_functions_emit() -> None:
    body = _resources()["Dashboard"]["Properties"]["DashboardBody"].value
    shown = set(re.findall(r'\["Revenir","(\w+)","service","([\w-]+)"\]', body))
    emitted = set()
    for path in (ROOT / "functions").glob("*/*.py"):
        text = path.read_text(encoding="utf-8")
        service = re.search(r'Metrics\(namespace="Revenir", service="([\w-]+)"\)', text)
        for name in re.findall(r'add_metric\(name="(\w+)"', text):
            assert service, path
            emitted.add((name, service.group(1)))
        if 'name=f"Emails{name.capitalize()}"' in text and service:
            emitted |= {(f"Emails{n}", service.group(1))
                        for n in ("Sent", "Suppressed", "Failed", "Retried", "Cancelled")}
    assert emitted <= shown, sorted(emitted - shown)


def test_alarms_reach_the_alarm_topic() -> None:
    resources = _resources()
    alarms = {n: r for n, r in resources.items() if r["Type"] == "AWS::CloudWatch::Alarm"}
    for name in ("DeadLetterQueueAlarm", "ApiServerErrorsAlarm", "CartExecutionsFailedAlarm", "AccountThrottlesAlarm",
                 "SesBounceRateAlarm", "SesComplaintRateAlarm"):
        assert name in alarms
    for name, alarm in alarms.items():
        assert [_ref(a) for a in alarm["Properties"]["AlarmActions"]] == ["AlarmTopic"], name
    assert alarms["SesBounceRateAlarm"]["Properties"]["Threshold"] == 0.02
    assert alarms["SesComplaintRateAlarm"]["Properties"]["Threshold"] == 0.0005
