import sys

from coinguard.cli import main

sys.exit(main())
