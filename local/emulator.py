"""moto as our AWS: made atomic, configured, and filled with the resources template.yaml declares.

Verified facts behind this module: ../shared/LOCAL-EMULATION.md (moto is not atomic under concurrency;
Step Functions executes only when configured; Lambda tasks need an in-process seam).
"""

from __future__ import annotations

import io
import json
import threading
import zipfile
from collections import Counter
from collections.abc import Callable
from typing import Any

from local.template import ACCOUNT, REGION, Template

_LOCK = threading.RLock()
_held = threading.local()  # how many times this thread holds _LOCK
_patched: set[str] = set()
#: AWS calls made in-process under mock_aws, by "service.Operation" (tests count DynamoDB round trips).
CALLS: Counter[str] = Counter()

LambdaInvoker = Callable[[str, dict[str, Any]], Any]


def serialise_server_requests() -> None:
    """One request at a time through moto's server, so conditional writes are atomic as in DynamoDB."""
    if "server" in _patched:
        return
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    original = DomainDispatcherApplication.__call__

    def locked(self: Any, environ: Any, start_response: Any) -> Any:
        with _holding():
            return list(original(self, environ, start_response))

    DomainDispatcherApplication.__call__ = locked  # type: ignore[method-assign]
    _patched.add("server")
    from local import ses_account

    ses_account.install()  # SES v2 GetAccount: the send consumers' rate


def serialise_in_process_requests() -> None:
    """The same for in-process mock_aws (tests): every botocore call goes through one lock."""
    if "in_process" in _patched:
        return
    from moto.core.botocore_stubber import BotocoreStubber

    original = BotocoreStubber.__call__

    def locked(self: Any, event_name: str, request: Any, **kwargs: Any) -> Any:
        # event_name is "before-send.<service>.<Operation>"
        CALLS[event_name.removeprefix("before-send.")] += 1
        with _holding():
            return original(self, event_name, request, **kwargs)

    BotocoreStubber.__call__ = locked  # type: ignore[method-assign]
    _patched.add("in_process")
    from local import ses_account

    ses_account.install()  # SES v2 GetAccount: the send consumers' rate


class _holding:
    """Acquire the emulator lock, counting how deep this thread holds it."""

    def __enter__(self) -> None:
        _LOCK.acquire()
        _held.depth = getattr(_held, "depth", 0) + 1

    def __exit__(self, *_: Any) -> None:
        _held.depth -= 1
        _LOCK.release()


def _without_the_lock(call: Callable[[], Any]) -> Any:
    """Run a Lambda handler outside the emulator lock. Step Functions invokes Lambda through a request to moto
    (which holds the lock); the handler's own AWS calls are new requests, from this or another thread, that
    must be able to take it. A Lambda invocation is not a DynamoDB operation: atomicity is not at stake."""
    depth = getattr(_held, "depth", 0)
    for _ in range(depth):
        _held.depth -= 1
        _LOCK.release()
    try:
        return call()
    finally:
        for _ in range(depth):
            _LOCK.acquire()
            _held.depth += 1


def route_lambda_invocations(invoke: LambdaInvoker,
                             observe: Callable[[str, Exception | None], None] | None = None) -> None:
    """Step Functions Lambda tasks (and lambda.invoke) run our handlers (`invoke`) instead of Docker.
    `observe(function name, error or None)` is told of each invocation (the console)."""
    from moto.awslambda.models import LambdaFunction

    def _invoke_lambda(self: Any, event: Any = None) -> tuple[str, bool, str]:
        payload = json.loads(event) if isinstance(event, (str, bytes)) and event else (event or {})
        try:
            result = _without_the_lock(lambda: invoke(self.function_name, payload))
            if observe is not None:
                observe(self.function_name, None)
            return json.dumps(result), False, ""
        except Exception as exc:  # surfaced to Step Functions as a Lambda error it can Retry/Catch
            if observe is not None:
                observe(self.function_name, exc)
            error = {"errorType": getattr(exc, "error_type", type(exc).__name__),
                     "errorMessage": getattr(exc, "error_message", str(exc))}
            return json.dumps(error), True, str(exc)

    LambdaFunction._invoke_lambda = _invoke_lambda  # type: ignore[method-assign]


def waits_follow_the_local_clock() -> None:
    """Step Functions Wait states end when the *local* clock (revenir.core.clock) reaches their time, so advancing
    it (make advance) moves executions on, as it fires schedules. Real time still passes too."""
    if "waits" in _patched:
        return
    from moto.stepfunctions.parser.asl.component.state.wait.wait_function.wait_function import WaitFunction

    from revenir.core import clock

    def _wait_interval(self: Any, env: Any, wait_seconds: int) -> None:
        deadline = clock.now().timestamp() + wait_seconds
        while env.is_running() and clock.now().timestamp() < deadline:
            env.program_state_event.wait(min(0.1, max(0.0, deadline - clock.now().timestamp())))

    WaitFunction._wait_interval = _wait_interval  # type: ignore[method-assign]
    _patched.add("waits")


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def lambda_handler(event, context):\n    return event\n")
    return buffer.getvalue()


def create_resources(template: Template, client: Callable[[str], Any],
                     secret_values: dict[str, str] | None = None) -> dict[str, str]:
    """Create every resource of the template in the emulator. `client(service)` returns a boto3 client.
    Secrets get `secret_values[name]` when given (a restored state), else a random value as CloudFormation's
    GenerateSecretString would. Returns every secret's value (what local/state.py keeps)."""
    dynamodb = client("dynamodb")
    existing = set(dynamodb.list_tables()["TableNames"])
    for name, spec in template.tables.items():
        if name not in existing:
            dynamodb.create_table(TableName=name, **spec)

    sesv2 = client("sesv2")
    for identity in template.email_identities:
        sesv2.create_email_identity(EmailIdentity=identity)
    for config_set in template.configuration_sets:
        try:
            sesv2.create_configuration_set(ConfigurationSetName=config_set)
        except Exception as exc:  # already exists on a second call
            if "AlreadyExists" not in type(exc).__name__ and "AlreadyExists" not in str(exc):
                raise

    sqs = client("sqs")  # dead-letter queues first: a RedrivePolicy names an existing queue
    for queue in sorted(template.queue_specs, key=lambda q: "RedrivePolicy" in q.attributes):
        sqs.create_queue(QueueName=queue.name, Attributes=queue.attributes)

    events = client("events")  # custom buses and their rules (SQS targets: routing by pattern works in moto)
    existing_buses = {b["Name"] for b in events.list_event_buses().get("EventBuses", [])}
    for bus in template.event_buses:
        if bus not in existing_buses:
            events.create_event_bus(Name=bus)
    for rule in template.event_rules:
        events.put_rule(Name=rule.name, EventBusName=rule.bus, EventPattern=rule.pattern, State="ENABLED")
        if rule.targets:
            events.put_targets(Rule=rule.name, EventBusName=rule.bus, Targets=rule.targets)

    secretsmanager = client("secretsmanager")
    values: dict[str, str] = {}
    for name in template.secrets:  # GenerateSecretString, as CloudFormation would
        import secrets as random

        values[name] = (secret_values or {}).get(name) or random.token_urlsafe(36)
        try:
            secretsmanager.create_secret(Name=name, SecretString=values[name])
        except Exception as exc:
            if "ResourceExists" not in str(exc) and "already exists" not in str(exc):
                raise
            values[name] = secretsmanager.get_secret_value(SecretId=name)["SecretString"]

    iam = client("iam")
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/revenir-local-lambda"
    try:
        iam.create_role(RoleName="revenir-local-lambda", AssumeRolePolicyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                           "Action": "sts:AssumeRole"}]}))
    except Exception as exc:
        if "EntityAlreadyExists" not in str(exc):
            raise
    awslambda = client("lambda")
    code = _zip()
    for fn in template.functions.values():
        try:
            awslambda.create_function(FunctionName=fn.name, Runtime="python3.12", Role=role_arn,
                                      Handler=fn.handler, Code={"ZipFile": code}, Timeout=fn.timeout)
        except Exception as exc:
            if "ResourceConflict" not in str(exc) and "already exist" not in str(exc):
                raise

    sfn = client("stepfunctions")
    for machine in template.state_machines.values():
        sfn.create_state_machine(name=machine.name, definition=machine.definition,
                                 roleArn=f"arn:aws:iam::{ACCOUNT}:role/revenir-local-states")

    scheduler = client("scheduler")
    for schedule in template.schedules:
        target = template.functions[schedule.target_function].arn if schedule.target_function else ""
        try:
            scheduler.create_schedule(
                Name=schedule.name, ScheduleExpression=schedule.expression,
                ScheduleExpressionTimezone=schedule.time_zone, FlexibleTimeWindow={"Mode": "OFF"},
                State="ENABLED" if schedule.enabled else "DISABLED",
                Target={"Arn": target, "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/revenir-local-scheduler",
                        "Input": schedule.input or "{}"},
            )
        except Exception as exc:
            if "ConflictException" not in str(exc) and "already exists" not in str(exc):
                raise
    return values


def sent_emails() -> list[dict[str, Any]]:
    """Every message SES accepted (v1 and v2, simple and raw), oldest first, from moto's backend."""
    from moto.ses.models import ses_backends

    backend = ses_backends[ACCOUNT][REGION]
    out = []
    for message in backend.sent_messages:
        raw = getattr(message, "raw_data", None)
        out.append({
            "id": message.id,
            "source": getattr(message, "source", None),
            "destinations": getattr(message, "destinations", None),
            "subject": getattr(message, "subject", None),
            "body": getattr(message, "body", None),
            "raw": raw,
        })
    return out
