"""Revenir: the shared domain package, shipped to Lambda as a layer.

Plain Python: no module here imports boto3. Storage adapters take an injected client.
"""
