"""Shared by the benchmark scripts that time tools as processes: a virtual environment of their own for the
Python packages they need, and each tool timed from start to exit with its peak memory."""

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


def timed(command: list[str]) -> tuple[float, float, str]:
    """(seconds, peak RSS in MB, stdout) of a command run under /usr/bin/time."""
    out = subprocess.run(["/usr/bin/time", "-f", "TIME %e %M", *command], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"{command[0]} failed: {out.stderr[-2000:]}")
    line = next(x for x in out.stderr.splitlines() if x.startswith("TIME "))
    seconds, kb = line.split()[1:]
    return float(seconds), int(kb) / 1024, out.stdout
