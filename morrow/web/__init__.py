"""The web layer: FastAPI routes that translate HTTP to service calls. No business rule lives here."""
