# SPDX-License-Identifier: GPL-3.0-or-later
"""Offline stand-in for ansible-test's downloaded get-pip-<version>.py.

ansible-test bootstraps pip into each fresh sanity venv by running a get-pip script that it normally downloads
from a host this project cannot reach. tools/test-all copies this file into ansible-test's cache under the name
ansible-test expects, so nothing is downloaded: pip comes from the interpreter's own ensurepip, then is brought to
the pinned version from the package index (PyPI). Arguments are the ones get-pip takes: pip options and packages.
"""

from __future__ import annotations

import subprocess
import sys

# get-pip-only flags that `pip install` does not know.
_GET_PIP_ONLY = ("--no-setuptools", "--no-wheel")


def main() -> int:
    args = [arg for arg in sys.argv[1:] if arg not in _GET_PIP_ONLY]
    # Child processes: ensurepip and pip must not run inside ansible-test's runpy-wrapped interpreter.
    rc = subprocess.call([sys.executable, "-m", "ensurepip", "--default-pip"], stdout=subprocess.DEVNULL)
    if rc:
        return rc
    return subprocess.call([sys.executable, "-m", "pip", "install", *args])


if __name__ == "__main__":
    sys.exit(main())
