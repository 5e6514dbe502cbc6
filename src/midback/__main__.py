"""``python -m midback`` runs the CLI."""

from midback.cli.app import main

main()
