"""Each function's permissions from template.yaml, as local/iam.py gives them to moto."""

from __future__ import annotations

from local import iam
from local.template import load


def test_every_function_gets_the_actions_its_template_policies_grant() -> None:
    template = load()
    roles = iam.roles_for(template)
    assert set(roles) == set(template.functions)
    carts = roles["CartsFunction"].actions
    assert {"states:StartExecution", "dynamodb:PutItem"} <= carts
    assert "ses:SendEmail" not in carts and "secretsmanager:GetSecretValue" not in carts
    assert roles["PlatformFunction"].policy["Statement"] == [{"Effect": "Deny", "Action": "*", "Resource": "*"}]
    for role in roles.values():  # moto evaluates every resource as "*": statements are widened, actions kept
        assert all(statement["Resource"] == "*" for statement in role.policy["Statement"])


def test_transactions_and_invoke_map_to_the_iam_actions_that_grant_them() -> None:
    template = load()
    fn = template.functions["CodesFunction"]
    statements = iam.expand(fn.logical_id, [{"Statement": [
        {"Effect": "Allow", "Action": ["dynamodb:GetItem"], "Resource": "arn:aws:dynamodb:x"}]}], template)
    assert statements == [{"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:TransactGetItems"],
                           "Resource": "*"}]
    statements = iam.expand(fn.logical_id, [{"Statement": {"Effect": "Allow", "Action": "dynamodb:ConditionCheckItem",
                                                           "Resource": "*"}}], template)
    assert "dynamodb:TransactWriteItems" in statements[0]["Action"]


def test_sam_policy_templates_are_expanded_as_sam_does() -> None:
    template = load()
    statements = iam.expand("X", [{"LambdaInvokePolicy": {"FunctionName": "f"}},
                                  {"DynamoDBReadPolicy": {"TableName": "t"}}], template)
    actions = {a for s in statements for a in s["Action"]}
    assert {"lambda:InvokeFunction", "lambda:Invoke", "dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan"} <= actions
    assert "dynamodb:PutItem" not in actions
    assert {"lambda:InvokeFunction", "lambda:Invoke"} <= {a for s in iam.state_machine_statements(template)
                                                          for a in s["Action"]}


def test_a_function_environment_is_its_template_environment_plus_the_runtime_variables() -> None:
    template = load()
    fn = template.functions["CartsFunction"]
    role = iam.roles_for(template)["CartsFunction"]
    original = iam.credentials
    iam.credentials = lambda role: {"AWS_ACCESS_KEY_ID": "A", "AWS_SECRET_ACCESS_KEY": "S",
                                    "AWS_SESSION_TOKEN": "T"}
    try:
        env = iam.function_environment(fn, role, {"moto": 5055, "api": 3000, "stripe": 8420},
                                       {"STRIPE_SECRET_KEY": "sk", "STRIPE_API_BASE": "http://x"})
    finally:
        iam.credentials = original
    assert env["CART_STATE_MACHINE_ARN"].startswith("arn:aws:states:") and env["TABLE_NAME"]
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == fn.name and env["AWS_SESSION_TOKEN"] == "T"
    assert env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:5055"
    assert "STRIPE_SECRET_KEY" not in env and "GOOGLE_SECRET_NAME" not in env  # not CartsFunction's


def test_the_review_alert_links_to_the_local_back_office() -> None:
    """BACK_OFFICE_URL names CloudFront's domain in the template; locally the gateway serves the back-office, so
    the host's review alert links there (the link a host clicks in the local outbox works)."""
    template = load()
    fn = template.functions["ReviewsFunction"]
    assert "BackOfficeDistribution" in str(template.raw["Resources"]["ReviewsFunction"]["Properties"]["Environment"])
    original = iam.credentials
    iam.credentials = lambda role: {}
    try:
        env = iam.function_environment(fn, iam.roles_for(template)["ReviewsFunction"],
                                       {"moto": 5055, "api": 3000, "stripe": 8420}, {})
    finally:
        iam.credentials = original
    assert env["BACK_OFFICE_URL"] == "http://127.0.0.1:3000/admin/index.html"
