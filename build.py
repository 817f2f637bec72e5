#!/usr/bin/env python3
"""Build the timeline: ``python build.py`` builds, ``python build.py check`` validates.

``python build.py --help`` lists every verb; all of them live in :mod:`dateline.cli`.
"""

from dateline.cli import run

if __name__ == "__main__":
    run()
