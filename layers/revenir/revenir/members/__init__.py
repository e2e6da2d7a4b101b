"""Memberships: which hosts (and which booking-engine clients) act for which properties.

The only source of tenancy. Cognito's pre-token-generation trigger reads it and writes the member's
property ids into the token; nothing a user can write (no custom attribute) takes part.
"""
