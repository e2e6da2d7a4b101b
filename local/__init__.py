"""The local runtime: everything template.yaml declares, running on 127.0.0.1 with no AWS account.

moto (server mode) stands in for DynamoDB, SES, Step Functions, EventBridge Scheduler; localstripe for
Stripe; a small gateway for API Gateway. Nothing here is shipped to Lambda.
"""
