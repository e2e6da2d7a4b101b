"""Benchmarks: figures reported as ratios measured within one run (`python -m bench`, `make bench`).

Machines are noisy: never compare absolute times across runs, only the ratios one run prints.
"""
