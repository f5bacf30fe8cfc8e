# SPDX-License-Identifier: GPL-3.0-or-later
"""The lab's emulated directors only: keep the bytecode Python compiles for the modules it imports from zip files.

Ansible runs every module from a zip of its module_utils, and Python's zipimport compiles all of those sources again
on every run: on a QEMU/TCG director that was about 1.5 of a module run's 4.5 seconds (``python3 -X importtime``:
``ansible.module_utils.basic`` 2.75 s, 1.26 s with this). This keeps each compiled source under
/var/cache/lvslab-zipimport, keyed by the interpreter and the source itself, and gives the code the path it is
imported from this time. The code that runs is the same; only the compiling is skipped. build-image.sh loads it
with a .pth file; it does nothing outside a director (the nodes run at native speed).
"""
import hashlib
import marshal
import os
import sys
import zipimport

_DIR = "/var/cache/lvslab-zipimport"
_compile = zipimport._compile_source


def _on_a_director():
    try:
        with open("/proc/cmdline") as f:
            return "lvslab.hostname=director" in f.read()
    except OSError:
        return False


def _with_filename(code, filename):
    consts = tuple(_with_filename(c, filename) if isinstance(c, type(code)) else c for c in code.co_consts)
    return code.replace(co_filename=filename, co_consts=consts)


def _compile_source(pathname, source):
    path = os.path.join(_DIR, hashlib.sha256(sys.implementation.cache_tag.encode() + b"\0" + source).hexdigest())
    try:
        with open(path, "rb") as f:
            return _with_filename(marshal.load(f), pathname)
    except (OSError, EOFError, ValueError, TypeError):
        pass
    code = _compile(pathname, source)
    try:
        os.makedirs(_DIR, mode=0o700, exist_ok=True)
        tmp = "%s.%d" % (path, os.getpid())
        with open(tmp, "wb") as f:
            marshal.dump(code, f)
        os.replace(tmp, path)
    except OSError:
        pass
    return code


if _on_a_director():
    zipimport._compile_source = _compile_source
