"""NMF at the size of Lee & Seung's Grolier experiment: nmf_teach against scikit-learn's "mu".

V is 15276 words x 30991 articles, sparse, rank 200, 20 iterations of the
multiplicative updates, both solvers from the same random start. Each run is a
separate Python process, so that its peak memory is its own:

* time: wall time of the whole call divided by the iterations (for nmf_teach
  also the time between consecutive iterations, from its callback), and the
  process's CPU time likewise; the solvers alternate, and the median of the
  repeated runs counts;
* memory: the peak of ``tracemalloc`` during the call, above what was allocated
  before it (numpy reports its array buffers to tracemalloc), and the process's
  peak resident set size (``resource.getrusage(...).ru_maxrss``). The timing
  runs do not trace memory; a separate run of each solver does.

A dense 15276 x 30991 float64 matrix takes 15276 * 30991 * 8 bytes = 3.79 GB;
a peak far below that shows that neither solver formed one (nor an m x n
product such as WH).

V is the real Grolier matrix when :func:`nmf_teach.datasets.load_grolier` finds
it in a data folder (it does not download here). Otherwise it is a random
sparse count matrix of the same shape, with as many distinct words per article
as the BBC news counts have on average (274533 / 2225 = 123.4), counts drawn
from a geometric distribution with mean 1.43 (the BBC counts' mean nonzero
count), at uniformly random positions. Speed depends on the shape, the rank and
the number of nonzeros, not on where they are; the loss values do (a random
matrix has no topics to find). The results file says which V was used.

Run from the repository root::

    python benchmarks/bench_grolier.py            # 20 iterations, 3 timing runs per solver
    python benchmarks/bench_grolier.py --iterations 5 --repeats 1   # quicker
    python benchmarks/bench_grolier.py --blas-threads 1   # one BLAS thread per run: steadier on a busy machine

Results: ``benchmarks/results/grolier.json`` and ``grolier.md`` (with ``--out DIR``:
``DIR/grolier.json`` and ``DIR/grolier.md``).
"""

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np

SHAPE = (15276, 30991)
RANK = 200
SEED = 0
WORDS_PER_ARTICLE = 274533 / 2225  # the BBC news counts' distinct counted words per article
GEOMETRIC_P = 0.7  # mean count per nonzero 1 / 0.7 = 1.43, the BBC counts' 389977 / 274533 = 1.42
DENSE_BYTES = SHAPE[0] * SHAPE[1] * 8
RESULTS = Path(__file__).resolve().parent / "results"


def grolier_sized_matrix():
    """(V, description): the real Grolier counts if at hand, else the random stand-in described above."""
    from nmf_teach.datasets import DataUnavailableError, load_grolier, make_sparse_counts

    try:
        return load_grolier(download=False).V, "the real Grolier counts (load_grolier)"
    except DataUnavailableError:
        pass
    V = make_sparse_counts(SHAPE, words_per_document=WORDS_PER_ARTICLE, mean_count=1 / GEOMETRIC_P, seed=SEED)
    m, n = SHAPE
    return V, (f"a random sparse count matrix of Grolier's shape (Grolier itself was not found; "
               f"nmf_teach.datasets.make_sparse_counts): {V.nnz} nonzeros, density {V.nnz / (m * n):.4%}, "
               f"counts geometric with mean {1 / GEOMETRIC_P:.2f}, uniform positions")


def maxrss_bytes():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports kilobytes


def worker(solver, iterations, trace, out):
    """One run of one solver in this process; writes a JSON record (and the factors) to ``out``."""
    import nmf_teach as nt

    V, description = grolier_sized_matrix()
    W0, H0 = nt.random_init(V, RANK, seed=SEED)
    record = {"solver": solver, "iterations": iterations, "traced": trace, "V": description,
              "nnz": int(V.nnz), "rss_before_bytes": maxrss_bytes()}
    stamps = []
    if trace:
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
    start, cpu_start = time.perf_counter(), time.process_time()
    if solver == "nmf_teach":
        result = nt.nmf(V, RANK, iterations=iterations, init=(W0, H0),
                        callback=lambda k, W, H, loss: stamps.append(time.perf_counter()))
        W, H, final_loss = result.W, result.H, float(result.losses[-1])
        record["losses"] = result.losses.tolist()
    elif solver == "sklearn":
        from sklearn.decomposition import NMF

        model = NMF(n_components=RANK, init="custom", solver="mu", beta_loss="frobenius", max_iter=iterations,
                    tol=0.0, random_state=SEED)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ConvergenceWarning: tol=0 runs all iterations on purpose
            W = model.fit_transform(V, W=W0.copy(), H=H0.copy())
        H, final_loss = model.components_, 0.5 * float(model.reconstruction_err_) ** 2
        record["n_iter"] = int(model.n_iter_)
    else:
        raise ValueError(solver)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    if trace:
        record["tracemalloc_peak_bytes"] = tracemalloc.get_traced_memory()[1] - base
        tracemalloc.stop()
    record.update(seconds=elapsed, seconds_per_iteration=elapsed / iterations,
                  cpu_seconds_per_iteration=cpu / iterations, final_loss=final_loss,
                  rss_peak_bytes=maxrss_bytes())
    if stamps:
        record["seconds_between_iterations"] = np.diff([start] + stamps).tolist()
    np.savez(out + ".npz", W=W, H=H)
    Path(out + ".json").write_text(json.dumps(record))


def run(solver, iterations, trace, folder, blas_threads=None):
    out = str(Path(folder) / f"{solver}-{'mem' if trace else 'time'}-{time.time_ns()}")
    env = dict(os.environ)
    if blas_threads:
        env.update({name: str(blas_threads) for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")})
    subprocess.run([sys.executable, __file__, "--worker", solver, "--iterations", str(iterations),
                    "--out", out] + (["--trace"] if trace else []), check=True, env=env)
    return json.loads(Path(out + ".json").read_text()), out + ".npz"


def blas_threads():
    try:
        from threadpoolctl import threadpool_info

        return [{k: info.get(k) for k in ("internal_api", "num_threads")} for info in threadpool_info()]
    except ImportError:  # pragma: no cover
        return "threadpoolctl not installed"


def report(summary):
    gb = 1e9
    lines = [
        "# NMF at Grolier's size: nmf_teach vs scikit-learn (mu)",
        "",
        f"V: {summary['V']}.  ",
        f"Shape {SHAPE[0]} x {SHAPE[1]}, rank {RANK}, {summary['iterations']} iterations, same random start "
        f"(seed {SEED}); each run in its own process.  ",
        f"Machine: {summary['machine']['cpus']} CPUs, load average {summary['machine']['load_average']} at the "
        f"start (the machine is shared); BLAS threads {summary['machine']['blas']}.",
        "",
        "| solver | wall s / iteration, median (best) | all timing runs, wall s / iteration | "
        "CPU s / iteration, median | tracemalloc peak | peak RSS of the process |",
        "|---|---|---|---|---|---|",
    ]
    for solver in ("nmf_teach", "sklearn"):
        s = summary["solvers"][solver]
        lines.append(f"| {solver} | {s['median_seconds_per_iteration']:.2f} ({s['seconds_per_iteration']:.2f}) | "
                     f"{', '.join(f'{t:.2f}' for t in s['all_seconds_per_iteration'])} | "
                     f"{s['median_cpu_seconds_per_iteration']:.2f} | "
                     f"{s['tracemalloc_peak_bytes'] / gb:.3f} GB | {s['rss_peak_bytes'] / gb:.3f} GB |")
    c = summary["comparison"]
    lines += [
        "",
        f"**Speed-up of nmf_teach (ratio of the median wall times): {c['speedup']:.2f}x** (target: at least 1.2x; "
        f"{'met' if c['speedup'] >= 1.2 else 'NOT met'}). Ratio of the best runs: {c['speedup_best']:.2f}x; "
        f"of the median CPU times: {c['speedup_cpu']:.2f}x. On a shared machine the wall times of repeated runs "
        f"of the same code differ (see the table), so these ratios are uncertain by that much.",
        "",
        f"A dense {SHAPE[0]} x {SHAPE[1]} float64 matrix would take {DENSE_BYTES / gb:.2f} GB. Peak memory "
        f"allocated during the call (tracemalloc): nmf_teach {c['nmf_teach_peak_fraction_of_dense']:.1%} of that, "
        f"scikit-learn {c['sklearn_peak_fraction_of_dense']:.1%}: "
        f"{'neither formed a dense m x n matrix' if c['no_dense'] else 'A DENSE m x n MATRIX MAY HAVE BEEN FORMED'}.",
        "",
        f"Same computation: final loss nmf_teach {c['final_loss_nmf_teach']:.10g}, scikit-learn "
        f"{c['final_loss_sklearn']:.10g}; largest relative difference of the factors "
        f"W {c['max_rel_diff_W']:.1e}, H {c['max_rel_diff_H']:.1e}. nmf_teach's loss never increased: "
        f"{c['monotone']}.",
        "",
        f"Measured {summary['date']} with `python benchmarks/bench_grolier.py "
        f"--iterations {summary['iterations']} --repeats {summary['repeats']}"
        f"{' --blas-threads ' + str(summary['blas_threads']) if summary['blas_threads'] else ''}`.",
        "",
    ]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--iterations", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3, help="timing runs per solver (the median counts)")
    parser.add_argument("--out", default=None)
    parser.add_argument("--blas-threads", type=int, default=None,
                        help="BLAS threads of each run (default: the library's own choice)")
    parser.add_argument("--worker", choices=["nmf_teach", "sklearn"])
    parser.add_argument("--trace", action="store_true")
    args = parser.parse_args()
    if args.worker:
        return worker(args.worker, args.iterations, args.trace, args.out)

    summary = {"iterations": args.iterations, "repeats": args.repeats, "blas_threads": args.blas_threads,
               "date": time.strftime("%Y-%m-%d %H:%M"),
               "machine": {"cpus": os.cpu_count(), "load_average": [round(x, 2) for x in os.getloadavg()],
                           "python": platform.python_version(),
                           "blas": blas_threads() if not args.blas_threads else
                           f"{args.blas_threads} per run (OPENBLAS/OMP/MKL_NUM_THREADS)"},
               "solvers": {}}
    with tempfile.TemporaryDirectory() as folder:
        timings = {"nmf_teach": [], "sklearn": []}
        for repeat in range(args.repeats):  # alternate the solvers (and their order) so both see the same load
            for solver in (["nmf_teach", "sklearn"] if repeat % 2 == 0 else ["sklearn", "nmf_teach"]):
                record, _ = run(solver, args.iterations, False, folder, args.blas_threads)
                timings[solver].append(record)
                print(f"{solver}: {record['seconds_per_iteration']:.2f} s / iteration", flush=True)
        factors, memory = {}, {}
        for solver in timings:
            memory[solver], factors[solver] = run(solver, args.iterations, True, folder, args.blas_threads)
            print(f"{solver}: tracemalloc peak {memory[solver]['tracemalloc_peak_bytes'] / 1e9:.3f} GB", flush=True)
        for solver in timings:
            best = min(timings[solver], key=lambda r: r["seconds_per_iteration"])
            summary["solvers"][solver] = {
                "seconds_per_iteration": best["seconds_per_iteration"],
                "median_seconds_per_iteration": float(np.median([r["seconds_per_iteration"]
                                                                 for r in timings[solver]])),
                "median_cpu_seconds_per_iteration": float(np.median([r["cpu_seconds_per_iteration"]
                                                                     for r in timings[solver]])),
                "all_seconds_per_iteration": [r["seconds_per_iteration"] for r in timings[solver]],
                "tracemalloc_peak_bytes": memory[solver]["tracemalloc_peak_bytes"],
                "rss_peak_bytes": max([r["rss_peak_bytes"] for r in timings[solver]]
                                      + [memory[solver]["rss_peak_bytes"]]),
                "rss_before_bytes": memory[solver]["rss_before_bytes"],
                "final_loss": memory[solver]["final_loss"],
                "runs": timings[solver] + [memory[solver]],
            }
            summary["V"] = best["V"]
        with np.load(factors["nmf_teach"]) as a, np.load(factors["sklearn"]) as b:
            rel = {name: float(np.max(np.abs(a[name] - b[name])) / np.max(np.abs(b[name]))) for name in ("W", "H")}
    s = summary["solvers"]
    losses = np.array(memory["nmf_teach"]["losses"])
    summary["comparison"] = {
        "speedup": s["sklearn"]["median_seconds_per_iteration"] / s["nmf_teach"]["median_seconds_per_iteration"],
        "speedup_best": s["sklearn"]["seconds_per_iteration"] / s["nmf_teach"]["seconds_per_iteration"],
        "speedup_cpu": (s["sklearn"]["median_cpu_seconds_per_iteration"]
                        / s["nmf_teach"]["median_cpu_seconds_per_iteration"]),
        "nmf_teach_peak_fraction_of_dense": s["nmf_teach"]["tracemalloc_peak_bytes"] / DENSE_BYTES,
        "sklearn_peak_fraction_of_dense": s["sklearn"]["tracemalloc_peak_bytes"] / DENSE_BYTES,
        "no_dense": bool(s["nmf_teach"]["tracemalloc_peak_bytes"] < DENSE_BYTES / 4
                         and s["nmf_teach"]["rss_peak_bytes"] < DENSE_BYTES),
        "final_loss_nmf_teach": s["nmf_teach"]["final_loss"], "final_loss_sklearn": s["sklearn"]["final_loss"],
        "max_rel_diff_W": rel["W"], "max_rel_diff_H": rel["H"],
        "monotone": bool(np.all(np.diff(losses) <= 0)),
    }
    out = Path(args.out) if args.out else RESULTS
    out.mkdir(parents=True, exist_ok=True)
    (out / "grolier.json").write_text(json.dumps(summary, indent=1) + "\n")
    (out / "grolier.md").write_text(report(summary))
    print(report(summary))


if __name__ == "__main__":
    main()
