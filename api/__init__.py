"""Customer tracking platform: the API process (settings, documents, services, CLI)."""
