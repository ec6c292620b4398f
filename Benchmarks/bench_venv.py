"""Shared by the benchmark scripts that need Python packages: each runs in a virtual environment of its own."""

import os
import subprocess
import sys


def reexec_in(venv: str, packages: list[str]) -> None:
    """Re-runs the calling script with `venv`'s Python, creating the environment with `packages` first if needed.

    Returns only when already running inside it. Also installs /usr/bin/time (Debian's `time`), which the scripts
    use for peak memory.
    """
    python = os.path.join(venv, "bin", "python")
    if os.path.realpath(sys.prefix) == os.path.realpath(venv):
        return
    if not os.path.exists(python):
        print(f"creating {venv} ({', '.join(packages)}) …", flush=True)
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        subprocess.run([python, "-m", "pip", "install", "--quiet", *packages], check=True)
    if not os.path.exists("/usr/bin/time"):
        subprocess.run(["apt-get", "install", "-y", "time"], check=True, capture_output=True)
    os.execv(python, [python, os.path.abspath(sys.argv[0]), *sys.argv[1:]])
