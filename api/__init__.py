"""Customer tracking platform: the API process (settings, documents, services, CLI)."""

__version__ = "0.1.0"
