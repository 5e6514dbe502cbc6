"""The command-line face of midback: Typer commands that parse, call a use case and render."""
