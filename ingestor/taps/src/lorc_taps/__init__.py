"""The suite's production Singer taps (one subpackage per API)."""
