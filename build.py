#!/usr/bin/env python3
"""Build the timeline: ``python build.py`` (build), ``python build.py check``, ``--help`` for more."""

import sys

from dateline.cli import main

if __name__ == "__main__":
    sys.exit(main())
