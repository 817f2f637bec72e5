#!/usr/bin/env python3
"""Build the timeline: ``python build.py`` builds, ``python build.py check`` validates.

``python build.py --help`` lists every verb; all of them live in :mod:`dateline.cli`.
"""

import sys

from dateline.cli import main

if __name__ == "__main__":
    sys.exit(main())
