"""Repositories: the only code that knows DynamoDB keys. Each takes an injected low-level client."""
