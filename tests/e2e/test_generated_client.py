"""The OpenAPI document is usable by a real client: a Python client generated from it by an independent
generator (openapi-python-client), regenerated from the current document on every run, drives the API of
the local runtime — the host creates a code, the widget validates it, the booking engine redeems it, and an
error answer parses as the error model. A document whose models do not match the answers fails here."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.e2e.conftest import Runtime

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = ROOT / "functions" / "platform" / "openapi.json"


@pytest.fixture(scope="module")
def client_package(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    out = tmp_path_factory.mktemp("client") / "revenir_client"
    generator = Path(sys.executable).parent / "openapi-python-client"
    done = subprocess.run([str(generator), "generate", "--path", str(DOCUMENT), "--output-path", str(out),
                           "--meta", "none", "--overwrite"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and (out / "__init__.py").exists(), done.stdout + done.stderr
    spec = importlib.util.spec_from_file_location("revenir_client", out / "__init__.py",
                                                  submodule_search_locations=[str(out)])
    assert spec is not None and spec.loader is not None
    package = importlib.util.module_from_spec(spec)
    sys.modules["revenir_client"] = package
    spec.loader.exec_module(package)
    yield package
    for name in [n for n in sys.modules if n == "revenir_client" or n.startswith("revenir_client.")]:
        del sys.modules[name]


def module(name: str) -> Any:
    return importlib.import_module(f"revenir_client.{name}")


@pytest.mark.e2e
def test_a_generated_client_drives_the_api(client_package: ModuleType, runtime: Runtime) -> None:
    host = client_package.AuthenticatedClient(base_url=runtime.url, token=runtime.token)
    widget = client_package.Client(base_url=runtime.url)
    arrival = date.today() + timedelta(days=40)
    stay = {"arrival": str(arrival), "departure": str(arrival + timedelta(days=2)),
            "lines": [{"offer_id": "chambre-meuse", "amount": 18000, "currency": "EUR"}]}

    create = module("api.promo_codes.create_promo_code_v1_admin_properties_property_id_promo_codes_post")
    code_input = module("models.promo_code_input").PromoCodeInput.from_dict({
        "name": "Client généré", "code": "GENCLIENT", "discount": {"type": "percent", "percent": 10},
        "valid_from": str(date.today() - timedelta(days=1)), "valid_until": str(date.today() + timedelta(days=90))})
    created = create.sync_detailed("demo", client=host, body=code_input)
    assert created.status_code == 201, created.content
    assert created.parsed.code == "GENCLIENT" and created.parsed.id.startswith("pc_")

    listing = module("api.promo_codes.list_promo_codes_v1_admin_properties_property_id_promo_codes_get")
    page = listing.sync("demo", client=host)
    assert "GENCLIENT" in [p.code for p in page.promo_codes]

    validate = module("api.booking_widget.validate_code_v1_properties_property_id_codes_validate_post")
    request = module("models.validate_request").ValidateRequest.from_dict({**stay, "code": "genclient"})
    answer = validate.sync("demo", client=widget, body=request)
    assert answer.valid is True and answer.discount.amount == 1800

    redeem = module("api.booking_engine.redeem_code_v1_properties_property_id_redemptions_post")
    redeem_request = module("models.redeem_request").RedeemRequest.from_dict(
        {**stay, "code": "GENCLIENT", "booking_id": "GEN-1", "guest_email": "gen@example.com"})
    redeemed = redeem.sync_detailed("demo", client=host, body=redeem_request)
    assert redeemed.status_code == 201, redeemed.content
    assert redeemed.parsed.booking_id == "GEN-1" and redeemed.parsed.code == "GENCLIENT"

    refused = create.sync_detailed("demo", client=host, body=code_input)  # the same code string again
    assert refused.status_code == 409
    error_model = module("models.error").Error
    assert isinstance(refused.parsed, error_model) and refused.parsed.error.code == "code_in_use"
