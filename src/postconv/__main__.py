"""``python -m postconv``."""

from .cli import main

main()
