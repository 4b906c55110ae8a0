"""Time to reach scikit-learn cd's final error, for every Frobenius solver of nmf_teach.

Run from the repository root, with the data sets in ``$NMF_TEACH_DATA``::

    python benchmarks/bench_solvers.py [--repeats 3] [--budget 10] [--out benchmarks/results]

Cases (issue 7, "Acceptance"):

* the CBCL faces with Lee & Seung's normalization (each image: pixel mean
  and standard deviation 0.25, clipped to [0, 1]; ``load_cbcl_faces()``),
  361 × 2429, rank 49;
* the BBC news word counts, words × documents, 8829 × 2225 sparse
  (274,533 non-zeros; ``load_news()``), rank 20.

Protocol, for each case:

1. The start, shared by every solver: NNDSVDa of ``nmf_teach.nndsvd_init``
   (``variant="nndsvda"``, seed 0), the construction scikit-learn's NMF uses
   by default (``init=None`` means NNDSVDa when r <= min(m, n)).
2. scikit-learn ``solver="cd"`` at its defaults otherwise (``tol=1e-4``,
   ``max_iter=200``, Frobenius loss, no regularization), from that start,
   timed ``--repeats`` times. Its final relative error
   ``‖V − WH‖_F / ‖V‖_F`` is the **target**; its time is the reference.
3. Every solver of nmf_teach for the Frobenius loss (``nmf`` = the lecture's
   multiplicative update, ``hals``, ``accelerated_hals``, ``accelerated_mu``,
   ``projected_gradient``, ``epsilon_mu``) runs from the same start until its
   relative error is at most the target (times ``1 + RTOL``, rounding only)
   or until ``--budget`` times the reference time has passed; the time at the
   end of the first iteration at or below the target is its time to target.
   Each solver records its loss at every iteration, as it always does, and
   that is included. ``nmf_kl`` (another loss) and ``masked_mu`` (a weighted
   loss) are not in the race.
4. scikit-learn ``solver="mu"`` (tol=0) for increasing ``max_iter``
   (doubling, then bisection) to find the fewest iterations that reach the
   target; that run's time is its time to target.
5. The runs of steps 2–4 are interleaved over the repeats (the order rotates);
   the minimum over the repeats is reported (the least disturbed run on a
   shared machine), the median beside it. The linear algebra library runs
   one thread for everyone by default (``--threads``): on a machine shared
   with other work, more threads make every timing erratic.

It writes ``solvers.json`` (every timing, the error curves, the machine and
its load) and ``solvers.md`` (the table) to ``--out``. Target: the fastest
nmf_teach solver reaches the target in at most 0.8 × scikit-learn cd's time.
"""

import argparse
import json
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import scipy.sparse as sp
import threadpoolctl
from machine_info import machine
from sklearn.decomposition import non_negative_factorization
from sklearn.exceptions import ConvergenceWarning

from nmf_teach import datasets, nmf, nndsvd_init, solvers, timing
from nmf_teach.loss import residual_squared_norm, squared_norm

RTOL = 1e-9  # "reached" allows only rounding above the target
SPEED_TARGET = 0.8
OURS = {
    "nmf (MU)": nmf,
    "hals": solvers.hals,
    "accelerated_hals": solvers.accelerated_hals,
    "accelerated_mu": solvers.accelerated_mu,
    "projected_gradient": solvers.projected_gradient,
    "epsilon_mu": solvers.epsilon_mu,
}


def cases():
    faces = datasets.load_cbcl_faces(download=False)
    yield "faces", faces.V, 49, "CBCL faces, Lee–Seung normalization (mean = std = 0.25 per image, clipped to [0, 1])"
    news = datasets.load_news(download=False)
    yield "news", news.V, 20, "BBC news word counts, words × documents (raw counts)"


def relative_error(V, W, H):
    return float(np.sqrt(residual_squared_norm(V, W, H) / squared_norm(V)))


def sklearn_run(V, W0, H0, solver, **options):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        W, H, n_iter = non_negative_factorization(V, W=W0.copy(), H=H0.copy(), n_components=W0.shape[1],
                                                  init="custom", solver=solver, **options)
        seconds = time.perf_counter() - start
    return seconds, relative_error(V, W, H), int(n_iter)


def thin(seconds, errors, points=150):
    """At most ``points`` samples of a curve (evenly spaced on a log scale of k), first and last included."""
    last = len(errors) - 1
    keep = np.unique(np.concatenate([[0], np.round(np.geomspace(1, max(last, 1), points)).astype(int), [last]]))
    keep = keep[keep <= last]
    return [float(f"{x:.6g}") for x in np.asarray(seconds)[keep]], \
        [float(f"{x:.10g}") for x in np.asarray(errors)[keep]], [int(k) for k in keep]


def race(V, r, W0, H0, solver, threshold, budget, threads=None):
    """One run of an nmf_teach solver until ``threshold`` or ``budget`` seconds, on ``threads`` threads."""
    result, seconds = timing.run_timed(solver, V, r, init=(W0, H0), iterations=10**7,
                                       stop_below=threshold, time_limit=budget, threads=threads)
    errors = result.relative_errors
    hit = np.flatnonzero(errors <= threshold)
    return {
        "reached": bool(hit.size),
        "seconds": float(seconds[hit[0]]) if hit.size else None,
        "iterations": int(hit[0]) if hit.size else None,
        "ran_iterations": int(result.iterations),
        "ran_seconds": float(seconds[-1]),
        "final_error": float(errors[-1]),
        "curve": thin(seconds, errors),
    }


def sklearn_mu_search(V, W0, H0, threshold, budget):
    """Fewest max_iter for which scikit-learn's mu reaches ``threshold``; every run timed."""
    runs = {}

    def run(k):
        if k not in runs:
            runs[k] = sklearn_run(V, W0, H0, "mu", tol=0.0, max_iter=k)
        return runs[k]

    k, low = 10, 0
    while run(k)[1] > threshold:
        if run(k)[0] > budget:
            return None, runs
        low, k = k, 2 * k
    high = k
    while high - low > 1:  # the error decreases with max_iter: bisect
        middle = (low + high) // 2
        if run(middle)[1] <= threshold:
            high = middle
        else:
            low = middle
    return high, runs


def bench_case(name, V, r, description, repeats, budget_factor, threads=None):
    W0, H0 = nndsvd_init(V, r, variant="nndsvda", seed=0)
    print(f"[{name}] {description}: {V.shape}, rank {r}", flush=True)

    cd = [sklearn_run(V, W0, H0, "cd") for _ in range(2)]  # warm-up and first timing
    target, cd_iterations = cd[-1][1], cd[-1][2]
    threshold = target * (1 + RTOL)
    budget = budget_factor * min(seconds for seconds, _, _ in cd)
    print(f"  sklearn cd: {cd_iterations} iterations, error {target:.7f}, {cd[-1][0]:.3f} s", flush=True)

    cd_seconds = [cd[-1][0]]
    ours = {key: [] for key in OURS}
    mu_seconds, mu_iterations, mu_runs = [], None, {}
    order = ["sklearn cd", *OURS, "sklearn mu"]
    for repeat in range(repeats):
        rotated = order[repeat % len(order):] + order[:repeat % len(order)]
        for key in rotated:
            if key == "sklearn cd":
                if repeat > 0:
                    cd_seconds.append(sklearn_run(V, W0, H0, "cd")[0])
            elif key == "sklearn mu":
                if repeat == 0:
                    mu_iterations, mu_runs = sklearn_mu_search(V, W0, H0, threshold, budget)
                    if mu_iterations is not None:
                        mu_seconds.append(mu_runs[mu_iterations][0])
                elif mu_iterations is not None:
                    mu_seconds.append(sklearn_run(V, W0, H0, "mu", tol=0.0, max_iter=mu_iterations)[0])
            elif repeat == 0 or ours[key][0]["reached"]:  # a solver that missed the target runs once
                ours[key].append(race(V, r, W0, H0, OURS[key], threshold, budget, threads))
        print(f"  repeat {repeat + 1}/{repeats} done (load {os.getloadavg()[0]:.2f})", flush=True)

    reference = min(cd_seconds)
    rows = {"sklearn cd": {"reached": True, "iterations": cd_iterations, "seconds": cd_seconds}}
    for key, runs in ours.items():
        times = [run["seconds"] for run in runs if run["reached"]]
        rows[key] = {
            "reached": runs[0]["reached"],
            "iterations": runs[0]["iterations"],
            "seconds": times,
            "ran_iterations": runs[0]["ran_iterations"],
            "ran_seconds": runs[0]["ran_seconds"],
            "final_error": runs[0]["final_error"],
            "curve": min(runs, key=lambda run: run["seconds"] if run["reached"] else np.inf)["curve"],
        }
    rows["sklearn mu"] = {
        "reached": mu_iterations is not None,
        "iterations": mu_iterations,
        "seconds": mu_seconds,
        "search": {str(k): {"seconds": v[0], "error": v[1]} for k, v in sorted(mu_runs.items())},
    }
    for row in rows.values():
        if row["reached"]:
            row["min_seconds"] = min(row["seconds"])
            row["median_seconds"] = statistics.median(row["seconds"])
            row["ratio_to_cd"] = row["min_seconds"] / reference
            row["median_ratio_to_cd"] = row["median_seconds"] / statistics.median(cd_seconds)
    # scikit-learn cd's own curve (error after k iterations, fresh runs with tol=0), for the figure
    checkpoints = [k for k in (1, 2, 3, 5, 7, 10, 15, 20, 30, 50, 70, 100, 150, 200) if k <= cd_iterations]
    checkpoints = sorted(set(checkpoints) | {cd_iterations})
    cd_curve_seconds, cd_curve_errors = timing.sklearn_runs(V, W0, H0, "cd", checkpoints, threads=threads)
    rows["sklearn cd"]["curve"] = [list(map(float, cd_curve_seconds)), list(map(float, cd_curve_errors)), checkpoints]
    fastest = min((key for key in OURS if rows[key]["reached"]), key=lambda key: rows[key]["min_seconds"],
                  default=None)
    return {
        "case": name,
        "data": description,
        "shape": list(V.shape),
        "sparse": bool(sp.issparse(V)),
        "nonzeros": int(V.nnz) if sp.issparse(V) else int(V.size),
        "rank": r,
        "start": "nmf_teach.nndsvd_init(V, r, variant='nndsvda', seed=0), shared by all solvers",
        "sklearn_cd_options": "defaults: tol=1e-4, max_iter=200, beta_loss='frobenius', no regularization; "
                              "init='custom' with the shared NNDSVDa start",
        "target_relative_error": target,
        "reached_means": f"relative error <= target * (1 + {RTOL:g})",
        "rtol": RTOL,
        "budget_seconds": budget,
        "repeats": repeats,
        "results": rows,
        "fastest_nmf_teach": fastest,
        "fastest_ratio_to_cd": rows[fastest]["ratio_to_cd"] if fastest else None,
        "meets_target": bool(fastest and rows[fastest]["ratio_to_cd"] <= SPEED_TARGET),
    }


def markdown(results, info):
    lines = [
        "# Time to reach scikit-learn cd's final error",
        "",
        "Written by `benchmarks/bench_solvers.py`. Every solver starts from the same NNDSVDa start; the target is",
        "the relative error ‖V − WH‖_F / ‖V‖_F at which scikit-learn's `solver=\"cd\"` stops at its defaults",
        "(tol = 1e-4, max_iter = 200). Times in seconds: minimum over the repeats (median in brackets); ratio =",
        "time / scikit-learn cd's time (minimum over its repeats). Each nmf_teach solver records its loss at",
        "every iteration, and that is included.",
        "",
        f"Machine: {info['cpu']}, {info['cpu_count']} cores, BLAS threads "
        f"{[b['num_threads'] for b in info['blas']]}, load average {info['load_before']} before and "
        f"{info['load_after']} after; numpy {info['numpy']}, scikit-learn {info['scikit-learn']}.",
        "",
    ]
    for case in results:
        shape = " × ".join(map(str, case["shape"]))
        if case["sparse"]:
            shape += f", sparse, {case['nonzeros']:,} non-zeros"
        lines += [
            f"## {case['case']}: {case['data']}",
            "",
            f"V {shape}, rank {case['rank']}. Target error {case['target_relative_error']:.7f} "
            f"(scikit-learn cd, {case['results']['sklearn cd']['iterations']} iterations). "
            f"Budget {case['budget_seconds']:.1f} s.",
            "",
            "| solver | iterations to target | seconds to target | ratio to sklearn cd |",
            "|---|---|---|---|",
        ]
        for key, row in case["results"].items():
            if row["reached"]:
                lines.append(f"| {key} | {row['iterations']} | {row['min_seconds']:.3f} "
                             f"({row['median_seconds']:.3f}) | {row['ratio_to_cd']:.2f} |")
            else:
                detail = (f"not reached: error {row['final_error']:.7f} after {row['ran_iterations']} iterations, "
                          f"{row['ran_seconds']:.1f} s" if "final_error" in row else "not reached within the budget")
                lines.append(f"| {key} | — | {detail} | — |")
        verdict = "meets" if case["meets_target"] else "misses"
        ratio = case["fastest_ratio_to_cd"]
        lines += ["", f"Fastest nmf_teach solver: **{case['fastest_nmf_teach']}**, "
                      f"{'—' if ratio is None else f'{ratio:.2f}'} × scikit-learn cd's time: "
                      f"{verdict} the target ≤ {SPEED_TARGET}.", ""]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--budget", type=float, default=10.0,
                        help="give up on a solver after this many times scikit-learn cd's time")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    parser.add_argument("--threads", type=int, default=1,
                        help="BLAS threads for everyone (default 1: steadier on a shared machine; 0 = BLAS default)")
    args = parser.parse_args(argv)
    if args.threads > 0:
        threadpoolctl.threadpool_limits(limits=args.threads)
    info = machine()
    info["load_before"] = [round(x, 2) for x in os.getloadavg()]
    threads = args.threads if args.threads > 0 else None  # nmf_teach's own threads too (sparse V), not BLAS only
    results = [bench_case(*case, repeats=args.repeats, budget_factor=args.budget, threads=threads) for case in cases()]
    info["load_after"] = [round(x, 2) for x in os.getloadavg()]
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "solvers.json").write_text(json.dumps({"machine": info, "cases": results}, indent=1) + "\n")
    text = markdown(results, info)
    (args.out / "solvers.md").write_text(text + "\n")
    print(text)
    return 0 if all(case["meets_target"] for case in results) else 1


if __name__ == "__main__":
    sys.exit(main())
