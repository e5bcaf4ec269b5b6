"""siyu-copilot: a private-domain commerce copilot that drafts, checks and records."""

__version__ = "0.1.0"
