"""Hotseat: a practice partner that plays difficult customers and scores conflict handling."""

__version__ = "0.1.0"
