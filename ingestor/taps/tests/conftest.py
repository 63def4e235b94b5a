"""Tests of the production taps: the real tap executables against the fake APIs on loopback."""
