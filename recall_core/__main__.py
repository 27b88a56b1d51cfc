import sys

from recall_core.cli import main

sys.exit(main())
