"""Operator commands against a deployed stack (AWS credentials of the operator):

    python -m deploy.operator create-property --env dev --property gites-du-moulin --owner anne@example.com
    python -m deploy.operator add-operator --env dev --email ops@example.com

The same use case as `POST /v1/operator/properties` (revenir.members), without a token.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

from deploy.configure import stack_outputs


def main(argv: list[str] | None = None) -> int:  # pragma: no cover - needs an AWS account
    import boto3

    from revenir.members.cognito import CognitoDirectory
    from revenir.members.models import NewProperty
    from revenir.members.service import OPERATORS_GROUP, MembershipService
    from revenir.members.store import MembershipStore

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["create-property", "add-operator"])
    parser.add_argument("--env", default="dev", choices=["dev", "prod"])
    parser.add_argument("--region", default="eu-west-3")
    parser.add_argument("--property")
    parser.add_argument("--owner")
    parser.add_argument("--email")
    args = parser.parse_args(argv)
    session = boto3.Session(region_name=args.region)
    outputs, _ = stack_outputs(session.client("cloudformation"), f"revenir-{args.env}")
    cognito = session.client("cognito-idp")
    directory = CognitoDirectory(cognito, outputs["UserPoolId"])
    if args.command == "add-operator":
        directory.invite(args.email)
        cognito.admin_add_user_to_group(UserPoolId=outputs["UserPoolId"], Username=args.email,
                                        GroupName=OPERATORS_GROUP)
        print(f"{args.email} is an operator")
        return 0
    service = MembershipService(MembershipStore(session.client("dynamodb"), outputs["TableName"]), directory)
    request = NewProperty(property_id=args.property, owner_email=args.owner)
    tenancy = service.create_property(request, "cli", datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
    print(f"property {tenancy.property_id} created; {tenancy.owner_email} is its owner (invitation e-mailed)")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
