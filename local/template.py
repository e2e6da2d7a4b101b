"""Read template.yaml the way CloudFormation would, for the resources the local runtime creates.

The SAM template is the single source of truth: tables, routes, schedules, state machines and SES
identities are read from it here, never retyped.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(os.environ.get("REVENIR_TEMPLATE") or ROOT / "template.yaml")  # tests run copies
ACCOUNT = "123456789012"
REGION = "eu-west-3"
STACK = "revenir-local"


class _Tag:
    def __init__(self, name: str, value: Any):
        self.name, self.value = name, value

    def __repr__(self) -> str:
        return f"!{self.name} {self.value!r}"


class _Loader(yaml.SafeLoader):
    pass


def _tag_constructor(name: str) -> Any:
    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> _Tag:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type,unused-ignore]
        return _Tag(name, value)
    return construct


for _name in ("Ref", "Sub", "GetAtt", "Join", "Select", "If", "Equals", "Not", "And", "Or", "FindInMap",
              "Split", "ImportValue", "Base64", "Condition", "GetAZs"):
    _Loader.add_constructor(f"!{_name}", _tag_constructor(_name))


@dataclass
class Route:
    method: str
    path: str
    function: str
    authorizer: str | None  # None: public route

    @property
    def pattern(self) -> re.Pattern[str]:
        regex = re.sub(r"\{(\w+)\+\}", r"(?P<\1>.+)", self.path)
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", regex)
        return re.compile(f"^{regex}$")


@dataclass
class Function:
    logical_id: str
    name: str
    code_uri: str
    handler: str
    environment: dict[str, str]
    timeout: int
    routes: list[Route] = field(default_factory=list)
    memory_size: int = 128
    reserved_concurrency: int | None = None
    policies: list[Any] = field(default_factory=list)  # as written in the template (SAM policy templates too)

    @property
    def module(self) -> str:
        """Dotted module the handler lives in, importable from the repository root."""
        package = self.code_uri.strip("/").replace("/", ".")
        return f"{package}.{self.handler.rsplit('.', 1)[0]}"

    @property
    def attribute(self) -> str:
        return self.handler.rsplit(".", 1)[1]

    @property
    def arn(self) -> str:
        return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{self.name}"


@dataclass
class Schedule:
    logical_id: str
    name: str
    expression: str
    time_zone: str
    target_function: str | None
    target_state_machine: str | None
    input: str | None
    enabled: bool


@dataclass
class StateMachine:
    logical_id: str
    name: str
    definition: str  # with DefinitionSubstitutions applied


@dataclass
class EventSource:
    """An event source mapping (SAM `Type: SQS` / `Type: DynamoDB` event): what Lambda polls for a function."""
    function: str  # logical id
    event: str  # the event's name in the template
    kind: str  # "SQS" or "DynamoDB"
    source: str  # logical id of the queue or the table
    batch_size: int
    report_item_failures: bool  # FunctionResponseTypes: [ReportBatchItemFailures]
    filters: list[dict[str, Any]]  # FilterCriteria patterns (decoded)
    batching_window: float = 0.0  # MaximumBatchingWindowInSeconds
    starting_position: str = "LATEST"
    maximum_retry_attempts: int = -1  # DynamoDB: -1 = until the record expires
    bisect_on_error: bool = False
    on_failure: str | None = None  # DynamoDB: logical id of the OnFailure queue
    maximum_concurrency: int | None = None  # SQS ScalingConfig
    enabled: bool = True


@dataclass
class Queue:
    logical_id: str
    name: str
    attributes: dict[str, str]  # create_queue Attributes (RedrivePolicy resolved to the local ARN)


@dataclass
class EventRule:
    """An EventBridge rule (AWS::Events::Rule) on a bus, with its targets (SQS queues locally: moto raises
    NotImplementedError for Lambda and state-machine targets, ../shared/LOCAL-EMULATION.md)."""
    logical_id: str
    name: str
    bus: str
    pattern: str  # EventPattern as JSON
    targets: list[dict[str, str]]  # [{"Id": ..., "Arn": ...}]


@dataclass
class Template:
    raw: dict[str, Any]
    tables: dict[str, dict[str, Any]]  # physical name -> create_table kwargs
    functions: dict[str, Function]  # logical id -> function
    routes: list[Route]
    schedules: list[Schedule]
    state_machines: dict[str, StateMachine]
    email_identities: list[str]
    configuration_sets: list[str]
    queues: list[str]
    secrets: list[str]
    event_sources: list[EventSource] = field(default_factory=list)
    queue_specs: list[Queue] = field(default_factory=list)
    event_buses: list[str] = field(default_factory=list)  # custom buses' names (AWS::Events::EventBus)
    event_rules: list[EventRule] = field(default_factory=list)

    def function_by_name(self, name: str) -> Function:
        for fn in self.functions.values():
            if name in (fn.name, fn.arn, fn.logical_id):
                return fn
        raise KeyError(name)


class Resolver:
    """Evaluates the intrinsic functions our template uses, with local physical names."""

    def __init__(self, raw: dict[str, Any], parameters: dict[str, str] | None = None):
        self.raw = raw
        self.resources: dict[str, Any] = raw.get("Resources", {})
        self.parameters = {
            name: str(spec.get("Default", "")) for name, spec in raw.get("Parameters", {}).items()
        }
        self.parameters.update(parameters or {})

    def physical_name(self, logical_id: str) -> str:
        res = self.resources[logical_id]
        props = res.get("Properties", {}) or {}
        kind = res["Type"]
        if kind == "AWS::DynamoDB::Table":
            return str(self.resolve(props.get("TableName", f"{STACK}-{logical_id}")))
        if kind == "AWS::SES::ConfigurationSet":
            return str(self.resolve(props.get("Name", f"{STACK}-{logical_id}")))
        if kind == "AWS::SES::EmailIdentity":
            return str(self.resolve(props["EmailIdentity"]))
        if kind in ("AWS::Serverless::Function", "AWS::Lambda::Function"):
            return str(self.resolve(props.get("FunctionName", f"{STACK}-{logical_id}")))
        if kind in ("AWS::Serverless::StateMachine", "AWS::StepFunctions::StateMachine"):
            name = props.get("Name", f"{STACK}-{logical_id}")
            return f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{self.resolve(name)}"
        if kind == "AWS::SQS::Queue":
            return f"http://sqs.{REGION}.localhost/{ACCOUNT}/{STACK}-{logical_id}"
        if kind == "AWS::SecretsManager::Secret":
            return str(self.resolve(props.get("Name", f"{STACK}-{logical_id}")))
        if kind in ("AWS::Events::EventBus", "AWS::Events::Rule"):
            return str(self.resolve(props.get("Name", f"{STACK}-{logical_id}")))
        return f"{STACK}-{logical_id}"

    def attribute(self, logical_id: str, attr: str) -> str:
        kind = self.resources[logical_id]["Type"]
        name = self.physical_name(logical_id)
        if attr == "Arn":
            if kind == "AWS::DynamoDB::Table":
                return f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name}"
            if kind in ("AWS::Serverless::Function", "AWS::Lambda::Function"):
                return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"
            if kind == "AWS::SQS::Queue":
                return f"arn:aws:sqs:{REGION}:{ACCOUNT}:{STACK}-{logical_id}"
            if kind in ("AWS::Serverless::StateMachine", "AWS::StepFunctions::StateMachine"):
                return name
            if kind == "AWS::Events::EventBus":
                return f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/{name}"
            if kind == "AWS::Events::Rule":
                props = self.resources[logical_id].get("Properties", {}) or {}
                bus = str(self.resolve(props.get("EventBusName", "default")))
                return f"arn:aws:events:{REGION}:{ACCOUNT}:rule/{bus}/{name}"
        if attr == "Name":
            return name.rsplit(":", 1)[-1]
        return f"{name}.{attr}"

    def ref(self, name: str) -> str:
        pseudo = {"AWS::Region": REGION, "AWS::AccountId": ACCOUNT, "AWS::StackName": STACK,
                  "AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com", "AWS::NoValue": ""}
        if name in pseudo:
            return pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        return self.physical_name(name)

    def resolve(self, value: Any) -> Any:
        if isinstance(value, _Tag):
            return self._intrinsic(value.name, value.value)
        if isinstance(value, dict):
            if len(value) == 1:
                (k, v), = value.items()
                if k == "Ref":
                    return self.ref(v)
                if k.startswith("Fn::"):
                    return self._intrinsic(k[4:], v)
            return {k: self.resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        return value

    def _intrinsic(self, name: str, arg: Any) -> Any:
        if name == "Ref":
            return self.ref(arg)
        if name == "GetAtt":
            logical, attr = arg.split(".", 1) if isinstance(arg, str) else arg
            return self.attribute(logical, attr)
        if name == "Sub":
            text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], self.resolve(arg[1]))

            def sub(match: re.Match[str]) -> str:
                token = match.group(1)
                if token in variables:
                    return str(variables[token])
                if "." in token:
                    logical, attr = token.split(".", 1)
                    return self.attribute(logical, attr)
                return self.ref(token)
            return re.sub(r"\$\{([^}!]+)\}", sub, text)
        if name == "Join":
            sep, items = arg
            return sep.join(str(i) for i in self.resolve(items))
        if name == "Select":
            index, items = arg
            return self.resolve(items)[int(index)]
        raise NotImplementedError(f"intrinsic Fn::{name} is not supported by the local runtime")


def _table(resolver: Resolver, props: dict[str, Any]) -> dict[str, Any]:
    props = resolver.resolve(props)
    kwargs: dict[str, Any] = {
        "AttributeDefinitions": props["AttributeDefinitions"],
        "KeySchema": props["KeySchema"],
        "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
    }
    if props.get("GlobalSecondaryIndexes"):
        kwargs["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
    if props.get("StreamSpecification"):
        kwargs["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
    return kwargs


_QUEUE_ATTRIBUTES = ("DelaySeconds", "MaximumMessageSize", "MessageRetentionPeriod", "ReceiveMessageWaitTimeSeconds",
                     "VisibilityTimeout", "FifoQueue", "ContentBasedDeduplication")


def _queue(resolver: Resolver, logical: str, props: dict[str, Any]) -> Queue:
    props = resolver.resolve(props)
    attributes = {k: str(v).lower() if isinstance(v, bool) else str(v)
                  for k, v in props.items() if k in _QUEUE_ATTRIBUTES}
    if props.get("RedrivePolicy"):
        attributes["RedrivePolicy"] = json.dumps(props["RedrivePolicy"])
    return Queue(logical, f"{STACK}-{logical}", attributes)


def _logical_of(value: Any) -> str:
    """`!GetAtt Queue.Arn` / `!GetAtt Table.StreamArn` / `{"Fn::GetAtt": [...]}` -> the logical id."""
    if isinstance(value, _Tag):
        value = value.value
    elif isinstance(value, dict) and "Fn::GetAtt" in value:
        value = value["Fn::GetAtt"]
    return str(value.split(".", 1)[0] if isinstance(value, str) else value[0])


def _event_source(logical: str, event_name: str, kind: str, eprops: dict[str, Any]) -> EventSource:
    source = _logical_of(eprops["Queue"] if kind == "SQS" else eprops["Stream"])
    filters = [json.loads(f["Pattern"]) if isinstance(f.get("Pattern"), str) else f.get("Pattern", {})
               for f in (eprops.get("FilterCriteria") or {}).get("Filters", [])]
    on_failure = ((eprops.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
    return EventSource(
        function=logical, event=event_name, kind=kind, source=source,
        batch_size=int(eprops.get("BatchSize", 10 if kind == "SQS" else 100)),
        report_item_failures="ReportBatchItemFailures" in (eprops.get("FunctionResponseTypes") or []),
        filters=filters, batching_window=float(eprops.get("MaximumBatchingWindowInSeconds", 0)),
        starting_position=str(eprops.get("StartingPosition", "LATEST")),
        maximum_retry_attempts=int(eprops.get("MaximumRetryAttempts", -1)),
        bisect_on_error=bool(eprops.get("BisectBatchOnFunctionError", False)),
        on_failure=_logical_of(on_failure) if on_failure else None,
        maximum_concurrency=(int(eprops["ScalingConfig"]["MaximumConcurrency"])
                             if (eprops.get("ScalingConfig") or {}).get("MaximumConcurrency") else None),
        enabled=bool(eprops.get("Enabled", True)),
    )


def parameter_overrides() -> dict[str, str]:
    """Template parameters as the local runtime sets them (links in e-mails point at the local gateway)."""
    import os

    return {"PublicBaseUrl": os.environ.get("REVENIR_PUBLIC_URL", "http://127.0.0.1:3000"),
            # webhooks: local receivers (127.0.0.1, plain http) are allowed, and retries come quickly
            "WebhookLocalHosts": os.environ.get("REVENIR_WEBHOOK_LOCAL_HOSTS", "127.0.0.1,localhost"),
            "WebhookBackoffBaseSeconds": os.environ.get("REVENIR_WEBHOOK_BACKOFF_BASE_SECONDS", "1"),
            "WebhookMaxAttempts": os.environ.get("REVENIR_WEBHOOK_MAX_ATTEMPTS", "3")}


@cache
def load(path: Path = TEMPLATE) -> Template:
    raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 - SafeLoader subclass
    resolver = Resolver(raw, parameter_overrides())
    globals_fn = raw.get("Globals", {}).get("Function", {})
    global_env = resolver.resolve(globals_fn.get("Environment", {}).get("Variables", {}))
    tables: dict[str, dict[str, Any]] = {}
    functions: dict[str, Function] = {}
    routes: list[Route] = []
    schedules: list[Schedule] = []
    machines: dict[str, StateMachine] = {}
    identities: list[str] = []
    config_sets: list[str] = []
    queues: list[str] = []
    secrets_: list[str] = []
    sources: list[EventSource] = []
    queue_specs: list[Queue] = []
    buses: list[str] = []
    rules: list[EventRule] = []
    api_default_auth: dict[str, str | None] = {}

    for logical, res in raw["Resources"].items():
        if res["Type"] == "AWS::Serverless::HttpApi":
            auth = (res.get("Properties") or {}).get("Auth", {}) or {}
            api_default_auth[logical] = auth.get("DefaultAuthorizer")

    for logical, res in raw["Resources"].items():
        kind, props = res["Type"], res.get("Properties", {}) or {}
        if kind == "AWS::DynamoDB::Table":
            tables[resolver.physical_name(logical)] = _table(resolver, props)
        elif kind == "AWS::SES::EmailIdentity":
            identities.append(resolver.physical_name(logical))
        elif kind == "AWS::SES::ConfigurationSet":
            config_sets.append(resolver.physical_name(logical))
        elif kind == "AWS::SQS::Queue":
            queues.append(f"{STACK}-{logical}")
            queue_specs.append(_queue(resolver, logical, props))
        elif kind == "AWS::SecretsManager::Secret":
            secrets_.append(resolver.physical_name(logical))
        elif kind == "AWS::Events::EventBus":
            buses.append(resolver.physical_name(logical))
        elif kind == "AWS::Events::Rule" and props.get("EventPattern"):
            resolved = resolver.resolve(props)
            rules.append(EventRule(
                logical, resolver.physical_name(logical), str(resolved.get("EventBusName", "default")),
                json.dumps(resolved["EventPattern"]),
                [{"Id": str(t["Id"]), "Arn": str(t["Arn"])} for t in resolved.get("Targets", [])]))
        elif kind == "AWS::Serverless::StateMachine":
            definition = (ROOT / props["DefinitionUri"]).read_text(encoding="utf-8")
            for key_, value in resolver.resolve(props.get("DefinitionSubstitutions", {})).items():
                definition = definition.replace("${" + key_ + "}", str(value))
            arn = resolver.physical_name(logical)
            machines[logical] = StateMachine(logical, arn.rsplit(":", 1)[-1], definition)
        elif kind == "AWS::Serverless::Function":
            env = dict(global_env)
            env.update(resolver.resolve((props.get("Environment") or {}).get("Variables", {})))
            fn = Function(
                logical_id=logical,
                name=resolver.physical_name(logical),
                code_uri=props["CodeUri"],
                handler=props.get("Handler", globals_fn.get("Handler", "app.lambda_handler")),
                environment={k: str(v) for k, v in env.items()},
                timeout=int(props.get("Timeout", globals_fn.get("Timeout", 3))),
                memory_size=int(props.get("MemorySize", globals_fn.get("MemorySize", 128))),
                reserved_concurrency=(int(props["ReservedConcurrentExecutions"])
                                      if props.get("ReservedConcurrentExecutions") is not None else None),
                policies=list(props.get("Policies") or []),
            )
            functions[logical] = fn
            for event_name, event in (props.get("Events") or {}).items():
                eprops = event.get("Properties", {}) or {}
                if event["Type"] == "HttpApi":
                    api = eprops.get("ApiId")
                    api_id = api.value if isinstance(api, _Tag) else (api or {}).get("Ref")
                    authorizer = (eprops.get("Auth") or {}).get("Authorizer", api_default_auth.get(api_id or ""))
                    route = Route(eprops["Method"].upper(), eprops["Path"], logical,
                                  None if authorizer in (None, "NONE") else authorizer)
                    fn.routes.append(route)
                    routes.append(route)
                elif event["Type"] == "ScheduleV2":
                    eprops = resolver.resolve(eprops)
                    schedules.append(Schedule(
                        logical_id=f"{logical}{event_name}", name=str(eprops.get("Name", f"{logical}{event_name}")),
                        expression=eprops["ScheduleExpression"],
                        time_zone=eprops.get("ScheduleExpressionTimezone", "UTC"),
                        target_function=logical, target_state_machine=None,
                        input=eprops.get("Input"), enabled=eprops.get("State", "ENABLED") == "ENABLED",
                    ))
                elif event["Type"] in ("SQS", "DynamoDB"):
                    sources.append(_event_source(logical, event_name, event["Type"], eprops))
    return Template(raw, tables, functions, routes, schedules, machines, identities, config_sets, queues, secrets_,
                    sources, queue_specs, buses, rules)
