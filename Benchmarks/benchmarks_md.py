"""Shared by the benchmark scripts: the machine line, and replacing one section of docs/benchmarks.md."""

import os
import platform

PATH = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "docs", "benchmarks.md"))


def machine() -> str:
    """The CPU model and core count, as the sections' "Measured … on …" lines name them."""
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
               platform.machine())
    return f"{cpu}, {os.cpu_count()} cores"


def write_section(heading: str, section: str) -> None:
    """Replaces the section that starts with ``heading`` (up to the next ``## ``), or appends it."""
    text = open(PATH).read()
    start = text.find(heading)
    if start >= 0:
        end = text.find("\n## ", start + 1)
        text = text[:start] + section + ("" if end < 0 else text[end + 1:])
    else:
        text = text.rstrip() + "\n\n" + section
    open(PATH, "w").write(text)
    print(f"wrote {PATH}")
