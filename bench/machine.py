"""What a benchmark ran on: the machine, its load average, and the commit measured."""

import os
import platform
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def load() -> list[float]:
    """The load average over 1, 5 and 15 minutes (2 means both cores of 2 busy)."""
    return [round(x, 2) for x in os.getloadavg()]


def commit() -> str:
    """Return the commit measured, marked "+dirty" when src/ differs from it."""
    git = ["git", "-C", str(ROOT)]
    head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run([*git, "status", "--porcelain", "src"], capture_output=True, text=True)
    return head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def describe(**more) -> dict:
    """Python, processor, cores, memory, system, then `more`, the commit and the load."""
    cpu = ""
    memory = 0
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), "")
        with open("/proc/meminfo") as f:
            memory = int(next(ln.split()[1] for ln in f if ln.startswith("MemTotal"))) // 1024
    except OSError:
        pass
    return {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "memory_mib": memory,
        "system": platform.platform(),
        **more,
        "commit": commit(),
        "load_average": load(),
    }
