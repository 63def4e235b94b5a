"""Projections: pure functions from canonical objects to the rows of a derived table."""
