"""Cognito as the membership Directory: invitations, sign-out, booking-engine clients."""

from __future__ import annotations

from typing import Any

from revenir.table.dynamodb import error_code


class CognitoDirectory:
    def __init__(self, client: Any, user_pool_id: str):
        self._client = client
        self._pool = user_pool_id

    def invite(self, email: str) -> None:
        """Creates the account; Cognito e-mails the invitation (a temporary password). Exists already: nothing."""
        try:
            self._client.admin_create_user(
                UserPoolId=self._pool, Username=email, DesiredDeliveryMediums=["EMAIL"],
                UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
            )
        except Exception as exc:
            if error_code(exc) != "UsernameExistsException":
                raise

    def sign_out(self, email: str) -> None:
        try:
            self._client.admin_user_global_sign_out(UserPoolId=self._pool, Username=email)
        except Exception as exc:
            if error_code(exc) != "UserNotFoundException":
                raise

    def client_exists(self, client_id: str) -> bool:
        try:
            self._client.describe_user_pool_client(UserPoolId=self._pool, ClientId=client_id)
        except Exception as exc:
            if error_code(exc) == "ResourceNotFoundException":
                return False
            raise
        return True
