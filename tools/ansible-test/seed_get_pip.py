# SPDX-License-Identifier: GPL-3.0-or-later
"""Put get_pip_stub.py where the ansible-test of the running interpreter looks for its cached get-pip script.

Run with the venv's python. The pinned pip version and the cache path are read from ansible-test's own source,
so a new ansible-test release that changes either makes this fail loudly instead of silently downloading.
"""

from __future__ import annotations

import os
import re
import shutil
import sys

import ansible_test


def main() -> int:
    base = os.path.dirname(ansible_test.__file__)
    with open(os.path.join(base, "_internal", "python_requirements.py"), encoding="utf-8") as f:
        reqs = f.read()
    with open(os.path.join(base, "_util", "target", "setup", "requirements.py"), encoding="utf-8") as f:
        setup = f.read()
    version = re.search(r"default_packages = dict\(\s*pip='([0-9.]+)'", reqs)
    path = re.search(r"cache_path = os\.path\.expanduser\('([^']+)' % pip_version\.replace\(\"\.\", \"_\"\)\)", setup)
    if not version or not path:
        print("seed_get_pip: cannot find the pip version or cache path in %s: ansible-test changed" % base, file=sys.stderr)
        return 1
    target = os.path.expanduser(path.group(1) % version.group(1).replace(".", "_"))
    stub = os.path.join(os.path.dirname(os.path.abspath(__file__)), "get_pip_stub.py")
    os.makedirs(os.path.dirname(target), exist_ok=True)
    shutil.copyfile(stub, target)
    print(target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
