"""``python -m catalog_diff``."""

from .cli import main

main()
