"""``python -m catalog_diff``."""

from .entry import main

main()
