"""The frame of Revenir's default e-mails: fluid up to 600 px (a phone at 390 px scrolls nothing sideways), the
widget's design tokens as plain colours (mail clients ignore CSS custom properties), a <style> block that
revenir.mail.message inlines at send time. The body and footer are Jinja sources (the templates' texts)."""

from __future__ import annotations

#: The widget's design tokens (web/, `--revenir-*`), as mail clients need them: literal values.
TOKENS = {"accent": "#2f6b4f", "text": "#1f2a24", "muted": "#5b6660", "border": "#d5dcd7", "surface": "#ffffff",
          "good": "#1f6b3a", "bad": "#a3261b", "radius": "12px", "page": "#f3f5f4", "soft": "#eef3f0"}

STYLE = """body{{margin:0;padding:0;background:{page};color:{text};font-family:system-ui,
-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;font-size:16px;line-height:1.5}}
.wrap{{width:100%;background:{page};padding:16px 0}}
.card{{max-width:600px;margin:0 auto;background:{surface};border:1px solid {border};border-radius:{radius};
padding:24px;box-sizing:border-box;overflow-wrap:anywhere;word-break:break-word}}
h1{{font-size:22px;line-height:1.3;margin:0 0 16px}}
.brand{{font-size:18px;color:{accent};letter-spacing:.02em;margin:0 0 16px}}
a{{color:{accent}}}
.stay,.code-box{{background:{soft};border-radius:{radius};padding:12px 16px;margin:16px 0}}
.code-box{{text-align:center;border:2px dashed {accent}}}
.code-label{{font-size:14px;color:{muted}}}
.code-value{{font-size:26px;font-weight:bold;margin:4px 0}}
.code{{font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:20px;letter-spacing:2px}}
.button{{display:inline-block;background:{accent};color:#ffffff !important;padding:12px 20px;border-radius:8px;
text-decoration:none;font-weight:600}}
blockquote{{margin:16px 0;padding:8px 16px;border-left:3px solid {accent};font-style:italic}}
.foot{{font-size:13px;color:{muted};border-top:1px solid {border};margin-top:24px;padding-top:12px}}
.foot a{{color:{muted}}}""".format(**TOKENS)


def frame(body: str, footer: str, lang: str, title: str = "{{ property.name }}", heading: bool = True) -> str:
    """A whole HTML e-mail around `body` (Jinja source) with `footer` under a rule; the property's name as its
    heading unless the body has its own (`heading=False`). One main landmark: screen readers land on the text."""
    top = '<h1 class="brand">{{ property.name }}</h1>' if heading else ""
    return (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width,initial-scale=1">'
            f"<title>{title}</title><style>{STYLE}</style></head>"
            f'<body><div class="wrap"><div class="card" role="main">{top}\n{body}\n<p class="foot">{footer}</p>\n'
            "</div></div></body></html>")


#: The usual footer: the property's name, phone, address and website (Jinja source).
FOOTER = ('{{ property.name }}{% if property.contact_phone %} · {{ property.contact_phone }}{% endif %}'
          '{% if property.contact_email %} · {{ property.contact_email }}{% endif %}'
          '{% if property.website %} · <a href="{{ property.website }}">{{ property.website }}</a>{% endif %}')

#: The footer of mails whose variables carry only the property's name and website (promo code, gift vouchers).
FOOTER_SHORT = ('{{ property.name }}{% if property.website %} · <a href="{{ property.website }}">'
                "{{ property.website }}</a>{% endif %}")

__all__ = ["FOOTER", "FOOTER_SHORT", "STYLE", "TOKENS", "frame"]
