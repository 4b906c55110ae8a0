"""What a benchmark ran on: the CPU, the load, Python, the libraries and their BLAS threads."""

import os
import platform
import sys
from pathlib import Path

import numpy as np
import scipy
import sklearn
import threadpoolctl

import nmf_teach


def machine():
    """A dict describing this machine and process, for the benchmarks' result files."""
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    blas = [{key: info.get(key) for key in ("internal_api", "version", "num_threads", "threading_layer",
                                             "architecture", "filepath")}
            for info in threadpoolctl.threadpool_info() if info.get("user_api") == "blas"]
    return {
        "cpu": cpu,
        "cpu_count": os.cpu_count(),
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "scikit-learn": sklearn.__version__,
        "nmf_teach": nmf_teach.__version__,
        "blas": blas,
    }
