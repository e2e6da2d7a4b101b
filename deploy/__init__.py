"""Operator scripts for a deployed stack (`make configure`, `make operator-*`); never shipped to Lambda."""
