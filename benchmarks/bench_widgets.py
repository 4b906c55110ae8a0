"""How fast does the live explorer answer? (nmf_teach.widgets, CBCL faces)

Run from the repository root::

    python benchmarks/bench_widgets.py [--new-ranks 10 20 30 40 60] [--iterations 200] [--out benchmarks/results]

It makes ``explorer(V, ranks=(9, 25, 49), iterations, max_rank=64)`` on the CBCL
faces (361 × 2429, the book's normalization; ``NMF_TEACH_DATA`` must hold
``cbcl_faces.npz``), creates the live ipywidgets app and drives its controls the
way a reader does, setting ``rank_slider.value`` / ``iteration_slider.value``
from Python. A move is timed from the assignment to the return of the widget's
callback, which has then computed what it needed and set the view's HTML. Not
included: the kernel sending that HTML to the browser (tens of kB) and the
browser drawing it.

Targets (issue 13), on this 2-core machine:

* ``new rank``: the rank slider moved to a rank not computed yet: the run of
  ``iterations`` iterations is computed and its frame shown within 1 s;
* ``drag k``, ``rank changes``, ``random moves``, ``cached``: moves among
  computed runs (frames new or cached) within 100 ms.

It also records the time until the explorer first appears (nothing is
computed before it: the first run is computed in the background), the time
until a new rank's progress (its label and tqdm bar) is up, and the machine.
The app is made with ``progress=True``, as the chapters make it (the bar's
updates are part of a new rank's time).
Output: ``widgets.json`` and ``widgets.md`` in ``--out``.
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from machine_info import machine

from nmf_teach.datasets import load_cbcl_faces
from nmf_teach.widgets import explorer

NEW_RANK_TARGET_MS = 1000.0
MOVE_TARGET_MS = 100.0


def _new_rank(ex, rank, shown):
    """Move to a rank not computed yet; return (ms until its label and bar are up, ms until its frame is)."""
    shown.clear()
    start = time.perf_counter()
    ex.rank_slider.value = rank
    total = 1e3 * (time.perf_counter() - start)
    return 1e3 * (shown[0] - start), total


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
    parser.add_argument("--new-ranks", type=int, nargs="+", default=[10, 20, 30, 40, 60])
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--keep-every", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=str(Path(__file__).parent / "results"))
    args = parser.parse_args(argv)

    faces = load_cbcl_faces(normalize="lee-seung", invert=True, download=False)
    start = time.perf_counter()
    ex = explorer(faces.V, ranks=(9, 25, 49), iterations=args.iterations, max_rank=64,
                  image_shape=faces.image_shape, seed=args.seed, keep_every=args.keep_every, progress=True,
                  static=False)
    app = ex.widget  # the live ipywidgets app, as Jupyter displays it
    appear_ms = 1e3 * (time.perf_counter() - start)
    ex.wait()
    first_ms = 1e3 * (time.perf_counter() - start)
    assert app.children, "the live app has its controls and view"
    rng = np.random.default_rng(args.seed)
    scenarios = {}
    shown = []  # when the progress (label and bar) of a new rank is put up
    ex.progress_box.observe(lambda change: shown.append(time.perf_counter()) if change["new"] else None,
                            names="children")
    progress_ms, scenarios["new rank"] = zip(*(_new_rank(ex, r, shown) for r in args.new_ranks), strict=True)
    computed = sorted({ex.rank, *args.new_ranks})
    top = max(computed)
    _move(ex, rank=top, iteration=args.iterations)
    scenarios[f"drag k at r={top}"] = [_move(ex, iteration=k) for k in range(args.iterations - 1, -1, -1)]
    times = []
    for k in rng.integers(0, args.iterations + 1, size=10):
        _move(ex, iteration=int(k))
        for r in computed:
            times.append(_move(ex, rank=r))
    scenarios["rank changes"] = times
    pairs = [(int(rng.choice(computed)), int(rng.integers(0, args.iterations + 1))) for _ in range(200)]
    scenarios["random moves"] = [_move(ex, rank=r, iteration=k) for r, k in pairs]
    scenarios["cached"] = [_move(ex, rank=r, iteration=k) for r, k in pairs]
    moves = [t for name, times in scenarios.items() if name != "new rank" for t in times]

    result = {
        "what": "latency of the live explorer (callback time), CBCL faces, the book's normalization",
        "data": {"shape": list(faces.V.shape), "normalize": faces.normalize},
        "iterations": args.iterations, "keep_every": args.keep_every, "new_ranks": args.new_ranks,
        "appear_ms": round(appear_ms, 1), "first_view_ms": round(first_ms, 1),
        "new_rank_progress_shown_ms": [round(t, 2) for t in progress_ms],
        "scenarios": {name: _summary(times) for name, times in scenarios.items()},
        "moves_among_computed": _summary(moves),
        "targets_ms": {"new rank": NEW_RANK_TARGET_MS, "move": MOVE_TARGET_MS},
        "new_rank_within_target": max(scenarios["new rank"]) <= NEW_RANK_TARGET_MS,
        "moves_within_target": max(moves) <= MOVE_TARGET_MS,
        "machine": machine(),
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "widgets.json").write_text(json.dumps(result, indent=2) + "\n")
    lines = [
        "# Live explorer: latency (CBCL faces)",
        "",
        f"`python benchmarks/bench_widgets.py` — V {faces.V.shape[0]}×{faces.V.shape[1]}, {args.iterations} "
        f"iterations a run, snapshots every {args.keep_every}. A move is timed from setting the slider's value to "
        "the return of the widget's callback (compute the run if the rank is new, render the frame, set the view); "
        "the kernel→browser transfer is not included. Targets: a new rank within 1 s, every other move within 100 ms.",
        "",
        "| scenario | moves | median (ms) | p95 (ms) | max (ms) |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, row in list(result["scenarios"].items()) + [("all moves among computed runs",
                                                          result["moves_among_computed"])]:
        lines.append(f"| {name} | {row['moves']} | {row['median_ms']} | {row['p95_ms']} | {row['max_ms']} |")
    lines += [
        "",
        f"The explorer appeared after {appear_ms:.0f} ms (nothing computed); its first view (rank {ex.ranks[1]}, "
        f"computed in the background) was ready after {first_ms:.0f} ms.",
        "",
        f"A new rank's progress (the label 'computing rank r = …' and its tqdm bar at 0) was up "
        f"{max(progress_ms):.1f} ms at most after the slider moved, before the run's first iteration.",
        "",
        f"New rank within 1 s: **{'yes' if result['new_rank_within_target'] else 'NO'}** "
        f"(slowest {max(scenarios['new rank']):.0f} ms). Moves among computed runs within 100 ms: "
        f"**{'yes' if result['moves_within_target'] else 'NO'}** (slowest {max(moves):.0f} ms). "
        f"Machine: {result['machine']['cpu']}, BLAS kernel "
        f"{', '.join(str(b['architecture']) for b in result['machine']['blas'])}.",
        "",
    ]
    (out / "widgets.md").write_text("\n".join(lines))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
