"""Use cases. Each service method owns its transaction; repositories never commit."""
