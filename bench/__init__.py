"""Benchmarks and the large-data generator (see bench/README.md)."""
