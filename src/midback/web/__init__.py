"""The web face of midback: a FastAPI app (API and pages) over the same use cases as the CLI."""
