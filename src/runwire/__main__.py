"""`python -m runwire ...`: the same command line as the `runwire` script."""

from runwire.cli import main

raise SystemExit(main())
