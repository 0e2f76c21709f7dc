"""``python -m npv_calc``: the same as the ``npv-calc`` command."""

from .cli import main

if __name__ == "__main__":
    main()
