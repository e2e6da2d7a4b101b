"""SES v2 GetAccount for moto (it has none): the sending quota the send consumers pace themselves by
(revenir.mail.pacing). The rate is LOCAL_SES_MAX_SEND_RATE messages per second (default 200: local tests are not
slowed; the bench sets its own stand-in SES), production access granted, sending enabled."""

from __future__ import annotations

import json
import os


def install() -> None:
    from moto.sesv2.responses import SESV2Response

    if getattr(SESV2Response, "get_account", None) is not None:
        return

    def get_account(self: SESV2Response) -> str:
        rate = float(os.environ.get("LOCAL_SES_MAX_SEND_RATE", "200"))
        return json.dumps({"SendQuota": {"Max24HourSend": 50000.0, "MaxSendRate": rate, "SentLast24Hours": 0.0},
                           "SendingEnabled": True, "ProductionAccessEnabled": True,
                           "EnforcementStatus": "HEALTHY", "DedicatedIpAutoWarmupEnabled": False})

    SESV2Response.get_account = get_account  # type: ignore[attr-defined]
