"""Per-function configuration from the environment, validated once, failing loudly.

No silent defaults: a missing TABLE_NAME is a deployment error, reported at the first invocation.
"""

from __future__ import annotations

import os
from functools import cache
from typing import TypeVar, cast

from pydantic import BaseModel, ConfigDict, Field

Settings = TypeVar("Settings", bound=BaseModel)


class EnvironmentSettings(BaseModel):
    """A dependency's settings: only the variables it needs, so a route loads only what it uses."""

    model_config = ConfigDict(frozen=True, extra="ignore")


class TableSettings(EnvironmentSettings):
    table_name: str = Field(alias="TABLE_NAME", min_length=1)


@cache
def _load(model: type[BaseModel]) -> BaseModel:
    return model.model_validate(dict(os.environ))


def load(model: type[Settings]) -> Settings:
    """The function's settings, read from os.environ once per container (typed: `functools.cache` is not)."""
    return cast(Settings, _load(model))


class SigningSettings(EnvironmentSettings):
    """The HMAC key of signed links (unsubscribe, review form): a Secrets Manager secret."""

    signing_secret_name: str = Field(alias="SIGNING_SECRET_NAME", min_length=1)


class MailSettings(TableSettings):
    """Functions that build guest e-mails: signed links need the secret and the public base URL."""

    signing_secret_name: str = Field(alias="SIGNING_SECRET_NAME", min_length=1)
    public_base_url: str = Field(alias="PUBLIC_BASE_URL", pattern=r"^https?://")
    configuration_set: str | None = Field(default=None, alias="MAIL_CONFIGURATION_SET")
