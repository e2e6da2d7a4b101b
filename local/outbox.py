"""The outbox: every e-mail SES accepted, rendered as the guest sees it (GET /_local/outbox)."""

from __future__ import annotations

import email
import html
from email import policy
from typing import Any

from local.emulator import sent_emails


def messages() -> list[dict[str, Any]]:
    """Sent messages, newest first, with headers and both parts decoded."""
    out = []
    for sent in sent_emails():
        item: dict[str, Any] = {"id": sent["id"], "from": sent["source"], "to": sent["destinations"],
                                "subject": sent["subject"], "html": None, "text": None, "headers": {}}
        if sent["raw"]:
            parsed = email.message_from_bytes(sent["raw"].encode("utf-8"), policy=policy.default)
            item["subject"] = str(parsed["Subject"] or "")
            item["from"] = str(parsed["From"] or item["from"] or "")
            item["to"] = [str(parsed["To"])] if parsed["To"] else item["to"]
            item["headers"] = {k: str(v) for k, v in parsed.items()}
            for kind in ("html", "plain"):
                part = parsed.get_body(preferencelist=(kind,))
                if part is not None:
                    item["html" if kind == "html" else "text"] = part.get_content()
        else:
            item["html"] = sent["body"]
        if isinstance(item["to"], dict):  # v1 simple: {"ToAddresses": [...], ...}
            item["to"] = item["to"].get("ToAddresses", [])
        out.append(item)
    return list(reversed(out))


def page() -> str:
    rows = []
    for m in messages():
        frame = html.escape(m["html"] or f"<pre>{html.escape(m['text'] or '')}</pre>", quote=True)
        rows.append(
            f"<article class='mail' data-subject='{html.escape(m['subject'] or '', quote=True)}'>"
            f"<header><b>{html.escape(m['subject'] or '(no subject)')}</b><br>"
            f"From {html.escape(str(m['from']))} to {html.escape(', '.join(m['to'] or []))}</header>"
            f"<iframe sandbox srcdoc=\"{frame}\"></iframe>"
            f"<details><summary>Text part and headers</summary><pre>{html.escape(m['text'] or '')}</pre>"
            f"<pre>{html.escape(chr(10).join(f'{k}: {v}' for k, v in m['headers'].items()))}</pre>"
            "</details></article>"
        )
    body = "".join(rows) or "<p class='empty'>No e-mail sent yet.</p>"
    return (
        "<!doctype html><html lang='en'><meta charset='utf-8'><title>Revenir outbox</title>"
        "<style>body{font-family:system-ui;margin:2rem;background:#f6f5f2}"
        ".mail{background:#fff;border-radius:8px;padding:1rem;margin:0 0 1.5rem;box-shadow:0 1px 3px #0002}"
        "iframe{width:100%;height:420px;border:1px solid #ddd;border-radius:4px;margin-top:.5rem}</style>"
        f"<h1>Outbox <small>({len(rows)} e-mails accepted by local SES)</small></h1>{body}</html>"
    )
