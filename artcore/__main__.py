import sys

from artcore.cli import main

sys.exit(main())
