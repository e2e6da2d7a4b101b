"""Guest e-mails: localisation, sandboxed templates, MIME messages, the SES sender port.

Imports jinja2: only the functions that send mail import this package.
"""
