"""Each function with the permissions and the environment template.yaml gives it, and nothing more.

IAM: each function's Policies (inline statements and SAM policy templates, expanded by aws-sam-translator as
SAM does) become an inline policy on a role of its own in moto's IAM; its instances call AWS with credentials
from `sts:AssumeRole` on that role. Once setup is done, `enforce()` turns on moto's authorization: a call the
template does not grant fails with AccessDenied, as in AWS. moto checks actions, not resources (it evaluates
the resource as "*"), so statements are widened to Resource "*" locally. moto also checks a transaction as one
action (dynamodb:TransactWriteItems / TransactGetItems), which IAM does not have: a role gets it when it may
perform an action a transaction item could ask of it (see TRANSACTION_ACTIONS; Lambda's Invoke likewise).

Environment: template Globals + the function's Environment (resolved by local/template.py), the variables
the Lambda runtime sets, the emulator's endpoint and the role's credentials. Locally, Stripe's secret keys
stand in for the Secrets Manager secret (functions that declare STRIPE_SECRET_NAME only), and the variables
the template gives production values (STRIPE_PUBLISHABLE_KEY, STRIPE_JS_URL) get localstripe's, for the
functions that declare them.
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from local.template import ACCOUNT, REGION, Function, Template, _Tag
from local.workers import runtime_environment

#: What moto asks for that IAM does not name so -> the IAM actions that grant it: moto checks the API
#: operation's name (a transaction as one action; Lambda's Invoke), IAM the action (each item's; InvokeFunction).
TRANSACTION_ACTIONS = {
    "lambda:Invoke": {"lambda:InvokeFunction"},
    "dynamodb:TransactWriteItems": {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
                                    "dynamodb:ConditionCheckItem"},
    "dynamodb:TransactGetItems": {"dynamodb:GetItem"},
    "sqs:SendMessageBatch": {"sqs:SendMessage"},  # IAM grants a batch by the single action
}
RUNTIME_USER = "revenir-local-runtime"

#: Every AWS call moto authorised or refused, by function: {logical id: {"service:Action": count}}.
OBSERVED: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
DENIED: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
_keys: dict[str, str] = {}  # access key id -> function logical id
_keys_lock = threading.Lock()


@dataclass
class Role:
    function: str
    name: str
    arn: str
    actions: set[str]  # what the template grants, expanded (wildcards kept as written)
    policy: dict[str, Any]


def _actions_of(statement: dict[str, Any]) -> list[str]:
    action = statement.get("Action", [])
    return [action] if isinstance(action, str) else list(action)


def _resolve_for_sam(value: Any, template: Template) -> Any:
    """Policy template parameters (!Ref/!GetAtt/!Sub) as placeholders: only the actions matter locally."""
    if isinstance(value, _Tag):
        return f"local-{value.name}"
    if isinstance(value, dict):
        return {k: _resolve_for_sam(v, template) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve_for_sam(v, template) for v in value]
    return value


def _managed_policy_of_the_template(policy: Any, template: Template) -> dict[str, Any] | None:
    name = None
    if isinstance(policy, _Tag) and policy.name == "Ref":
        name = str(policy.value)
    elif isinstance(policy, dict) and set(policy) == {"Ref"}:
        name = str(policy["Ref"])
    resource = template.raw["Resources"].get(name or "", {})
    if resource.get("Type") != "AWS::IAM::ManagedPolicy":
        return None
    document: dict[str, Any] = (resource.get("Properties") or {})["PolicyDocument"]
    return document


def expand_policies(fn: Function, template: Template) -> list[dict[str, Any]]:
    """The function's statements, SAM policy templates expanded, resources widened to "*" (moto's evaluation)."""
    return expand(fn.logical_id, fn.policies, template)


def expand(owner: str, policies: list[Any], template: Template) -> list[dict[str, Any]]:
    statements: list[dict[str, Any]] = []
    processor = None
    for policy in policies:
        managed = _managed_policy_of_the_template(policy, template)
        if managed is not None:  # !Ref to an AWS::IAM::ManagedPolicy of the template
            policy = managed
        if isinstance(policy, dict) and "Statement" in policy:
            found = policy["Statement"]
            statements.extend(found if isinstance(found, list) else [found])
        elif isinstance(policy, dict) and len(policy) == 1:
            from samtranslator.policy_template_processor.processor import (  # type: ignore[import-untyped]
                PolicyTemplatesProcessor,
            )

            processor = processor or PolicyTemplatesProcessor(
                PolicyTemplatesProcessor.get_default_policy_templates_json())
            (name, parameters), = policy.items()
            if not processor.has(name):
                raise ValueError(f"{owner}: unknown SAM policy template {name}")
            document = processor.convert(name, _resolve_for_sam(parameters or {}, template))
            found = document["Statement"]
            statements.extend(found if isinstance(found, list) else [found])
        else:  # an AWS managed policy by name or ARN: moto knows AWS's managed policies only partly
            raise ValueError(f"{owner}: managed policy {policy!r} is not supported by the local runtime")
    widened = []
    for statement in statements:
        actions = _actions_of(statement)
        if statement.get("Effect", "Allow") == "Allow":
            granted = set(actions)
            for pseudo, needed in TRANSACTION_ACTIONS.items():
                if granted & needed:  # moto asks for the transaction as one action
                    actions.append(pseudo)
        widened.append({"Effect": statement.get("Effect", "Allow"), "Action": sorted(set(actions)), "Resource": "*"})
    return widened


def roles_for(template: Template) -> dict[str, Role]:
    out = {}
    for fn in template.functions.values():
        statements = expand_policies(fn, template)
        name = f"revenir-local-{fn.logical_id}"[:64]
        actions = {a for s in statements if s["Effect"] == "Allow" for a in s["Action"]}
        out[fn.logical_id] = Role(fn.logical_id, name, f"arn:aws:iam::{ACCOUNT}:role/{name}", actions,
                                  {"Version": "2012-10-17", "Statement": statements or [
                                      {"Effect": "Deny", "Action": "*", "Resource": "*"}]})
    return out


def create_roles(template: Template, client: Callable[[str], Any]) -> dict[str, Role]:
    """Each function's role in moto's IAM, and a user for the runtime itself (setup, credentials, snapshots)."""
    import os

    iam = client("iam")
    # The runtime stands in for the Lambda service when it assumes a role: moto checks an AWS principal only
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {
            "Service": "lambda.amazonaws.com", "AWS": f"arn:aws:iam::{ACCOUNT}:user/{RUNTIME_USER}"}}]})
    roles = roles_for(template)
    for role in roles.values():
        try:
            iam.create_role(RoleName=role.name, AssumeRolePolicyDocument=trust, MaxSessionDuration=43200)
        except Exception as exc:
            if "EntityAlreadyExists" not in str(exc):
                raise
        iam.put_role_policy(RoleName=role.name, PolicyName="template", PolicyDocument=json.dumps(role.policy))
    try:
        iam.create_user(UserName=RUNTIME_USER)
    except Exception as exc:
        if "EntityAlreadyExists" not in str(exc):
            raise
    iam.put_user_policy(UserName=RUNTIME_USER, PolicyName="all", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
    _state_machines_call_with_their_policies(template, iam)
    key = iam.create_access_key(UserName=RUNTIME_USER)["AccessKey"]
    os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"] = key["AccessKeyId"], key["SecretAccessKey"]
    os.environ.pop("AWS_SESSION_TOKEN", None)
    import boto3

    boto3.DEFAULT_SESSION = None  # the default session caches the setup credentials: start a new one
    return roles


STATES_USER = "revenir-local-states"


def state_machine_statements(template: Template) -> list[dict[str, Any]]:
    """Every state machine's Policies (SAM policy templates expanded), widened to Resource "*"."""
    statements: list[dict[str, Any]] = []
    for logical, resource in template.raw["Resources"].items():
        if resource["Type"] == "AWS::Serverless::StateMachine":
            statements += expand(logical, list((resource.get("Properties") or {}).get("Policies") or []), template)
    return statements


def _state_machines_call_with_their_policies(template: Template, iam: Any) -> None:
    """moto's Step Functions engine calls Lambda and DynamoDB with fixed fake keys: give it a principal whose
    policy is the state machines' Policies (one principal for all of them: moto does not say which one calls)."""
    try:
        iam.create_user(UserName=STATES_USER)
    except Exception as exc:
        if "EntityAlreadyExists" not in str(exc):
            raise
    statements = state_machine_statements(template) or [{"Effect": "Deny", "Action": "*", "Resource": "*"}]
    iam.put_user_policy(UserName=STATES_USER, PolicyName="template", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": statements}))
    key = iam.create_access_key(UserName=STATES_USER)["AccessKey"]
    _keys[key["AccessKeyId"]] = "StepFunctions"

    import sys

    import boto3
    import moto.stepfunctions.parser.asl.component.state.exec.state_task.lambda_eval_utils  # noqa: F401
    from moto.stepfunctions.parser.asl.utils import boto_client

    original = getattr(boto_client.boto_client_for, "__wrapped__", boto_client.boto_client_for)

    def boto_client_for(region: str, service: str, state_credentials: Any = None) -> Any:
        client = original(region, service, state_credentials)
        return boto3.client(service, region_name=region, endpoint_url=client.meta.endpoint_url,  # type: ignore[call-overload]
                            aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"],
                            config=client.meta.config)

    boto_client_for.__wrapped__ = original  # type: ignore[attr-defined]
    for module in list(sys.modules.values()):
        if getattr(module, "boto_client_for", None) is not None and (module.__name__ or "").startswith("moto."):
            setattr(module, "boto_client_for", boto_client_for)  # noqa: B010 - patching moto's module attribute


def credentials(role: Role) -> dict[str, str]:
    """Fresh credentials of the role (one per instance start, as Lambda gives each sandbox its own)."""
    import boto3

    answer = boto3.client("sts").assume_role(RoleArn=role.arn, RoleSessionName=role.function[:64],
                                             DurationSeconds=43200)["Credentials"]
    with _keys_lock:
        _keys[answer["AccessKeyId"]] = role.function
    return {"AWS_ACCESS_KEY_ID": answer["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": answer["SecretAccessKey"],
            "AWS_SESSION_TOKEN": answer["SessionToken"]}


LOCAL_VALUES = ("STRIPE_PUBLISHABLE_KEY", "STRIPE_JS_URL")
STRIPE_SECRET_STAND_INS = ("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "STRIPE_API_BASE",
                           "STRIPE_CONNECT_WEBHOOK_SECRET")


def function_environment(fn: Function, role: Role, ports: dict[str, int], stripe_env: dict[str, str]) -> dict[str, str]:
    env = runtime_environment(fn, REGION)
    env.update(fn.environment)
    for name in LOCAL_VALUES:
        if name in fn.environment and name in stripe_env:
            env[name] = stripe_env[name]
    if "STRIPE_SECRET_NAME" in fn.environment:
        import os

        for name in STRIPE_SECRET_STAND_INS:  # a developer's own test keys win; the API is always the local one
            own = None if name == "STRIPE_API_BASE" else os.environ.get(name)
            env[name] = own or stripe_env[name]
    if "BACK_OFFICE_URL" in fn.environment:  # no CloudFront locally: the gateway serves the back-office itself
        env["BACK_OFFICE_URL"] = f"http://127.0.0.1:{ports['api']}/admin/index.html"
    env["AWS_ENDPOINT_URL"] = f"http://127.0.0.1:{ports['moto']}"
    env.update(credentials(role))
    return env


def enforce() -> None:
    """From now on moto checks every request's action against the caller's policies."""
    from moto import settings
    from moto.core.authorization import ActionAuthenticatorMixin

    settings.INITIAL_NO_AUTH_ACTION_COUNT = 0
    ActionAuthenticatorMixin.request_count = 0
    _observe()


_observing = False


def _observe() -> None:
    """Record each function's calls (and refusals) as moto authorises them: GET /_local/iam shows them."""
    global _observing
    if _observing:
        return
    from moto.iam.access_control import IAMRequestBase

    original = IAMRequestBase.check_action_permitted

    def check_action_permitted(self: Any, resource: str) -> None:
        key = getattr(getattr(self, "_access_key", None), "_access_key_id", None) or ""
        with _keys_lock:
            function = _keys.get(key)
        try:
            original(self, resource)
        except Exception:
            if function:
                DENIED[function][self._action] += 1
            raise
        if function:
            OBSERVED[function][self._action] += 1

    IAMRequestBase.check_action_permitted = check_action_permitted  # type: ignore[method-assign]
    _observing = True


def report(roles: dict[str, Role]) -> dict[str, Any]:
    """Per function: what it called, what it was refused, and what the template grants."""
    out: dict[str, Any] = {fn: {"observed": dict(OBSERVED.get(fn, {})), "denied": dict(DENIED.get(fn, {})),
                                "granted": sorted(role.actions)} for fn, role in roles.items()}
    for principal in set(OBSERVED) | set(DENIED):  # the state machines' principal
        out.setdefault(principal, {"observed": dict(OBSERVED.get(principal, {})),
                                   "denied": dict(DENIED.get(principal, {})), "granted": None})
    return out
