"""How fast does the live explorer answer a slider move? (nmf_teach.widgets, CBCL faces, ranks up to 49)

Run from the repository root::

    python benchmarks/bench_widgets.py [--ranks 5 10 20 49] [--iterations 200] [--out benchmarks/results]

It builds ``explorer(V, ranks, iterations)`` on the CBCL faces (361 × 2429,
Lee–Seung normalization; ``NMF_TEACH_DATA`` must hold ``cbcl_faces.npz``),
creates the live ipywidgets app and drives its sliders the way a reader does,
setting ``rank_slider.value`` / ``iteration_slider.value`` from Python. A move
is timed from the assignment to the return of the widget's callback, which has
then rendered the frame from the iterate the run kept (W and the shown columns
of H at every iteration, within ``live_memory_mb``; otherwise it recomputes at
most ``keep_every - 1`` iterations from the full snapshot before) and set the
view's HTML. Not included: the
kernel sending that HTML to the browser (a few tens of kB) and the browser
drawing it. Target (issue 5): every move within 200 ms.

Scenarios, in this order (the cache of rendered frames fills as it goes):

* ``drag k at r=49``: the iteration slider dragged one step at a time from 200 down to 0 (every frame new);
* ``rank changes``: the rank slider moved across all ranks at 10 random iterations (mostly new frames);
* ``random moves``: 200 random (rank, iteration) pairs (new and cached frames mixed);
* ``cached``: the same 200 pairs again (every frame cached).

It also records the time to compute the runs, the page weight of the static
view (every rank × iteration frame as PNG data URIs) and the machine. Output:
``widgets.json`` and ``widgets.md`` in ``--out``.
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

import nmf_teach
from nmf_teach.datasets import load_cbcl_faces
from nmf_teach.widgets import explorer

TARGET_MS = 200.0


def _move(ex, rank=None, iteration=None):
    start = time.perf_counter()
    if rank is not None:
        ex.rank_slider.value = rank
    if iteration is not None:
        ex.iteration_slider.value = iteration
    return 1e3 * (time.perf_counter() - start)


def _summary(times):
    times = sorted(times)
    return {"moves": len(times), "median_ms": round(statistics.median(times), 2),
            "p95_ms": round(times[int(0.95 * (len(times) - 1))], 2), "max_ms": round(times[-1], 2)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ranks", type=int, nargs="+", default=[5, 10, 20, 49])
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--keep-every", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=str(Path(__file__).parent / "results"))
    args = parser.parse_args(argv)

    faces = load_cbcl_faces(download=False)
    start = time.perf_counter()
    ex = explorer(faces.V, ranks=args.ranks, iterations=args.iterations, image_shape=faces.image_shape,
                  seed=args.seed, keep_every=args.keep_every, progress=False)
    compute_s = time.perf_counter() - start
    start = time.perf_counter()
    weight = ex.page_weight()
    static_s = time.perf_counter() - start
    ex._frames.clear()  # the live moves below start with an empty frame cache (worst case)
    ex._states.clear()
    app = ex.widget  # the live ipywidgets app; its sliders are driven below
    top = max(ex.ranks)
    rng = np.random.default_rng(args.seed)
    scenarios = {}

    _move(ex, rank=top, iteration=args.iterations)
    scenarios[f"drag k at r={top}"] = [_move(ex, iteration=k) for k in range(args.iterations - 1, -1, -1)]
    times = []
    for k in rng.integers(0, args.iterations + 1, size=10):
        _move(ex, iteration=int(k))
        for r in ex.ranks:
            times.append(_move(ex, rank=r))
    scenarios["rank changes"] = times
    pairs = [(int(rng.choice(ex.ranks)), int(rng.integers(0, args.iterations + 1))) for _ in range(200)]
    scenarios["random moves"] = [_move(ex, rank=r, iteration=k) for r, k in pairs]
    scenarios["cached"] = [_move(ex, rank=r, iteration=k) for r, k in pairs]
    every = [t for times in scenarios.values() for t in times]

    assert app.children, "the live app has its sliders and view"
    result = {
        "what": "latency of one slider move of the live explorer (callback time), CBCL faces",
        "data": {"shape": list(faces.V.shape), "normalize": faces.normalize},
        "ranks": ex.ranks, "iterations": args.iterations, "keep_every": args.keep_every,
        "compute_runs_s": round(compute_s, 2),
        "static_view": {"frames": len(ex.ranks) * len(ex.iterations), "iterations": ex.iterations,
                        "bytes": weight, "render_s": round(static_s, 2)},
        "scenarios": {name: _summary(times) for name, times in scenarios.items()},
        "all_moves": _summary(every),
        "target_ms": TARGET_MS,
        "within_target": max(every) <= TARGET_MS,
        "machine": {"python": sys.version.split()[0], "numpy": np.__version__, "platform": platform.platform(),
                    "cpus": os.cpu_count(), "nmf_teach": nmf_teach.__version__},
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "widgets.json").write_text(json.dumps(result, indent=2) + "\n")
    lines = [
        "# Live explorer: latency of a slider move (CBCL faces)",
        "",
        f"`python benchmarks/bench_widgets.py` — V {faces.V.shape[0]}×{faces.V.shape[1]}, ranks {ex.ranks}, "
        f"{args.iterations} iterations, snapshots every {args.keep_every}. A move is timed from setting the "
        "slider's value to the return of the widget's callback (render the frame from the kept iterate, set the "
        "view); the kernel→browser transfer is not included. Target: every move within 200 ms.",
        "",
        "| scenario | moves | median (ms) | p95 (ms) | max (ms) |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, row in list(result["scenarios"].items()) + [("all moves", result["all_moves"])]:
        lines.append(f"| {name} | {row['moves']} | {row['median_ms']} | {row['p95_ms']} | {row['max_ms']} |")
    lines += [
        "",
        f"Computing the {len(ex.ranks)} runs (the explorer's construction, with a progress bar in Jupyter): "
        f"{compute_s:.1f} s (machine load {os.getloadavg()[0]:.1f} at the end). "
        f"Static view for the book: {result['static_view']['frames']} frames (ranks × iterations "
        f"{ex.iterations}), {weight / 1e6:.2f} MB of HTML, rendered in {static_s:.1f} s.",
        "",
        f"Every move within {TARGET_MS:.0f} ms: **{'yes' if result['within_target'] else 'NO'}**. "
        f"Machine: {result['machine']['platform']}, {result['machine']['cpus']} CPUs (shared), "
        f"Python {result['machine']['python']}, numpy {result['machine']['numpy']}.",
        "",
    ]
    (out / "widgets.md").write_text("\n".join(lines))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
