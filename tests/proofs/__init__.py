"""Proofs: tests that run the guide's procedures, as published, against real components."""
