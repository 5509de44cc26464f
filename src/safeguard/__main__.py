"""Allow `python -m safeguard COMMAND`."""

from safeguard.cli import main

main()
