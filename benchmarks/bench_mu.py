"""How fast is nmf_teach.nmf? Time per iteration against scikit-learn and against the floor.

Run from the repository root (``make bench``)::

    python benchmarks/bench_mu.py [--repeats 7] [--out benchmarks/results]

For each case, in one process, from the same start and for the same number
of iterations, it times:

* ``nmf_teach.nmf`` -- which records the loss at every iteration, as it always does;
* scikit-learn's ``NMF(solver="mu", beta_loss="frobenius", init="custom", tol=0)``
  (with ``tol=0`` it never evaluates the loss inside its loop, but it computes the
  error once before and once after the loop; that is part of its cost and is
  included, spread over the iterations);
* the floor: the two products every multiplicative-update iteration must
  compute, ``V Hᵀ`` and ``Wᵀ V``, alone, in three forms: as written; with
  ``Wᵀ V`` as ``(Vᵀ W)ᵀ``; and as nmf_teach computes them (H kept
  transposed; a sparse V read by columns, CSC for ``V Hᵀ`` and its CSR
  transpose for ``Vᵀ W``). The floor is the fastest of the three.
* all six products of an iteration (V Hᵀ, Wᵀ V, H Hᵀ, W (H Hᵀ), Wᵀ W,
  (Wᵀ W) H) alone, the two with V in each of their two forms (``V Hᵀ`` or
  ``(H Vᵀ)ᵀ``, ``Vᵀ W`` or ``(Wᵀ V)ᵀ``; four combinations): the fastest
  combination counts. Which form is faster depends on the BLAS kernel;
  nmf_teach measures it when a run starts (``ProductsWithV.plan``).

**Kernels.** The BLAS kernel in use (threadpoolctl's ``architecture``) is
recorded with every result. On a CPU with AVX-512, OpenBLAS picks its
SkylakeX kernels, and machines without it run the Haswell ones; by default
(``--kernel auto``) this script then runs every case twice, each in a
subprocess with ``OPENBLAS_CORETYPE`` set for that subprocess alone, and
writes both to the result files. Tests and CI never set it.

The methods are interleaved, each timed ``--repeats`` times after a warm-up
run; the medians are reported. Cases: the CBCL faces (361 × 2429, r = 49; the
real faces if ``NMF_TEACH_DATA`` holds ``cbcl_faces.npz``, else uniform random
of that shape), a dense 2000 × 4000 matrix with r = 100, and news word counts
(8829 words × 2225 documents, about 274k non-zeros, r = 20; the real BBC
counts if ``NMF_TEACH_DATA`` holds ``bbc_news_counts.npz``, else a random
sparse matrix of that shape and density).

It writes ``mu.json`` (every timing, the machine, numpy and its BLAS) and
``mu.md`` (the table) to ``--out``. Targets (issue 12), on every kernel:
nmf_teach within 1.10× of all six products on the dense cases; never slower
than scikit-learn on CBCL; at least 1.2× faster than scikit-learn on the
large dense and the news cases.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import scipy.sparse as sp
import threadpoolctl
from machine_info import machine
from sklearn.decomposition import NMF

from nmf_teach import nmf, random_init
from nmf_teach._products import ProductsWithV

SIX_PRODUCTS_TARGET = {"cbcl": 1.10, "large": 1.10}   # nmf_teach / all six products, dense cases
SKLEARN_TARGET = {"cbcl": 1.0, "large": 1.2, "news": 1.2}  # scikit-learn / nmf_teach
KERNELS = ("Haswell", "SkylakeX")


def data_folder():
    folder = os.environ.get("NMF_TEACH_DATA")
    return Path(folder) if folder else None


def cbcl_case():
    folder = data_folder()
    if folder and (folder / "cbcl_faces.npz").exists():
        faces = np.load(folder / "cbcl_faces.npz")["faces"]
        return faces.T.astype(np.float64) / 255.0, "CBCL faces (real, pixels / 255)"
    return np.random.default_rng(0).random((361, 2429)), "uniform random, CBCL-shaped"


def news_case():
    folder = data_folder()
    if folder and (folder / "bbc_news_counts.npz").exists():
        counts = sp.load_npz(folder / "bbc_news_counts.npz")  # documents x words
        return counts.T.tocsr().astype(np.float64), "BBC news word counts (real, words x documents)"
    density = 274_000 / (8829 * 2225)
    V = sp.random(8829, 2225, density=density, format="csr", random_state=0, dtype=np.float64)
    V.data = np.ceil(10 * V.data)  # small counts
    return V, "random sparse counts, news-shaped"


def large_case():
    return np.random.default_rng(1).random((2000, 4000)), "uniform random"


# name: (the data and where it comes from, r, iterations)
CASES = {"cbcl": (cbcl_case, 49, 100), "large": (large_case, 100, 20), "news": (news_case, 20, 100)}


def cases(names=None, iterations=None):
    """(name, V, r, iterations, source) for each case, building each V only when its turn comes."""
    for name, (make, r, case_iterations) in CASES.items():
        if names and name not in names:
            continue
        V, source = make()
        yield name, V, r, iterations or case_iterations, source


CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}


def time_once(function, clock):
    start = clock()
    function()
    return clock() - start


def run_nmf_teach(V, W0, H0, iterations):
    return nmf(V, W0.shape[1], init=(W0, H0), iterations=iterations)


def run_sklearn(V, W0, H0, iterations):
    model = NMF(n_components=W0.shape[1], solver="mu", beta_loss="frobenius", init="custom", tol=0,
                max_iter=iterations, alpha_W=0.0, alpha_H=0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        W = model.fit_transform(V, W=W0.copy(), H=H0.copy())
    return W, model.components_


def floor_as_written(V, W, H, iterations):
    """The two products of one iteration, ``iterations`` times, and nothing else."""
    for _ in range(iterations):
        VHt = V @ H.T
        WtV = W.T @ V
    return VHt, WtV


def floor_transposed(V, W, H, iterations):
    for _ in range(iterations):
        VHt = V @ H.T
        WtV = (V.T @ W).T
    return VHt, WtV


def floor_as_nmf_teach(V, W, H, iterations):
    Ht = np.ascontiguousarray(H.T)
    with ProductsWithV(V) as products:
        for _ in range(iterations):
            VHt = products.V_times(Ht)
            VtW = products.Vt_times(W)
    return VHt, VtW


def all_products(V, W, H, iterations, layouts=("C", "C")):
    """Every matrix product of an iteration, as nmf_teach computes them, and nothing else.

    V Hᵀ, Vᵀ W, H Hᵀ, Wᵀ W, W (H Hᵀ) and Hᵀ (Wᵀ W): no implementation of these
    updates can be faster than this (in float64, with this BLAS), since it must
    compute at least these products. ``layouts`` gives the layout of the
    results of V Hᵀ and Vᵀ W, "C" or "F", which is the form of each (see
    ``ProductsWithV.V_times``; a sparse V is always "C"); W is laid out like
    V Hᵀ and Hᵀ like Vᵀ W, as in nmf_teach. Not part of the floor.
    """
    m, n = V.shape
    r = W.shape[1]
    if sp.issparse(V):
        layouts = ("C", "C")
    W, Ht = np.array(W, order=layouts[0]), np.array(H.T, order=layouts[1])
    VHt, VtW = np.empty((m, r), order=layouts[0]), np.empty((n, r), order=layouts[1])
    with ProductsWithV(V) as products:
        for _ in range(iterations):
            HHt = Ht.T @ Ht
            products.V_times(Ht, out=VHt)
            W_HHt = W @ HHt
            products.Vt_times(W, out=VtW)
            WtW = W.T @ W
            Ht_WtW = Ht @ WtW
    return VHt, W_HHt, VtW, Ht_WtW


SIX_PRODUCT_FORMS = ("CC", "CF", "FC", "FF")


FLOORS = {"floor_as_written": floor_as_written, "floor_transposed": floor_transposed,
          "floor_as_nmf_teach": floor_as_nmf_teach}


def bench_case(name, V, r, iterations, repeats, clock):
    W0, H0 = random_init(V, r, seed=0)
    methods = {
        "nmf_teach": lambda: run_nmf_teach(V, W0, H0, iterations),
        "sklearn": lambda: run_sklearn(V, W0, H0, iterations),
    }
    for key, floor in FLOORS.items():
        methods[key] = lambda floor=floor: floor(V, W0, H0, iterations)
    forms = SIX_PRODUCT_FORMS if not sp.issparse(V) else ("CC",)
    for form in forms:
        methods[f"all_products_{form}"] = lambda form=form: all_products(V, W0, H0, iterations, tuple(form))
    # The same computation: both runs end at the same W and H (to rounding).
    ours, (W_ref, H_ref) = methods["nmf_teach"](), methods["sklearn"]()
    agreement = max(float(np.max(np.abs(ours.W - W_ref) / np.maximum(np.abs(W_ref), 1e-300))),
                    float(np.max(np.abs(ours.H - H_ref) / np.maximum(np.abs(H_ref), 1e-300))))
    for method in methods.values():  # warm-up: the first runs of a process are slower
        start = time.perf_counter()
        while time.perf_counter() - start < 0.5:
            method()
    seconds = {key: [] for key in methods}
    names = list(methods)
    for repeat in range(repeats):
        for key in names[repeat % len(names):] + names[:repeat % len(names)]:  # rotate the order
            seconds[key].append(time_once(methods[key], clock) / iterations)
    median = {key: statistics.median(values) for key, values in seconds.items()}
    floor = min(median[key] for key in FLOORS)
    median["all_products"] = min(median[f"all_products_{form}"] for form in forms)
    return {
        "kernel": kernel(),
        "case": name,
        "shape": list(V.shape),
        "rank": r,
        "sparse": bool(sp.issparse(V)),
        "nonzeros": int(V.nnz) if sp.issparse(V) else int(V.size),
        "iterations": iterations,
        "repeats": repeats,
        "seconds_per_iteration": seconds,
        "median_ms": {key: 1e3 * value for key, value in median.items()},
        "floor_ms": 1e3 * floor,
        "nmf_teach_over_floor": median["nmf_teach"] / floor,
        "sklearn_over_nmf_teach": median["sklearn"] / median["nmf_teach"],
        "all_products_over_floor": median["all_products"] / floor,
        "sklearn_over_all_products": median["sklearn"] / median["all_products"],
        "nmf_teach_over_all_products": median["nmf_teach"] / median["all_products"],
        "six_products_target": SIX_PRODUCTS_TARGET.get(name),
        "sklearn_target": SKLEARN_TARGET.get(name),
        "planned_layouts": planned_layouts(V, r),
        "max_relative_difference_to_sklearn": agreement,
        "final_relative_error": float(ours.relative_errors[-1]),
    }


def kernel():
    """The BLAS kernels in use (threadpoolctl's ``architecture``), e.g. "Haswell"."""
    return ", ".join(str(info.get("architecture")) for info in threadpoolctl.threadpool_info()
                     if info.get("user_api") == "blas")


def planned_layouts(V, r):
    """The forms nmf_teach chose for this case in this process (ProductsWithV.plan)."""
    with ProductsWithV(V) as products:
        return products.plan(r)


def has_avx512():
    try:
        return any(line.startswith("flags") and " avx512f" in line
                   for line in Path("/proc/cpuinfo").read_text().splitlines())
    except OSError:
        return False


def fresh_process_child(name, method, repeats, iterations=None):
    """In a new interpreter: time one method on one case, keeping nothing between runs (JSON on stdout)."""
    make, r, case_iterations = CASES[name]
    iterations = iterations or case_iterations
    V, _ = make()
    W0, H0 = random_init(V, r, seed=0)
    run = run_nmf_teach if method == "nmf_teach" else run_sklearn
    run(V, W0, H0, iterations)  # warm-up; the result is dropped
    seconds = [time_once(lambda: run(V, W0, H0, iterations), time.perf_counter) / iterations
               for _ in range(repeats)]
    print(json.dumps(seconds))


def fresh_process_timings(name, repeats, threads, iterations=None):
    """ms per iteration of nmf_teach and scikit-learn, each run alone in a fresh process (median).

    In the main process the heap has been shaped by everything run before;
    in a fresh one, the large arrays a method allocates at every iteration
    may come as fresh pages from the system, and each page costs a fault.
    """
    timings = {}
    for method in ("nmf_teach", "sklearn"):
        command = [sys.executable, __file__, "--fresh-child", name, method, "--repeats", str(repeats)]
        if threads:
            command += ["--threads", str(threads)]
        if iterations:
            command += ["--iterations", str(iterations)]
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        timings[method] = 1e3 * statistics.median(json.loads(output.splitlines()[-1]))
    return timings


def markdown(results, info):
    lines = [
        "# Multiplicative updates: time per iteration",
        "",
        f"Written by `{info['command']}`: median of {results[0]['repeats'] if results else 0} interleaved repeats, "
        f"ms per iteration, {'elapsed (wall-clock) time' if info['clock'] == 'wall' else 'CPU time of the process'}.",
        "*floor*: the products V Hᵀ and Wᵀ V alone. *all six products*: V Hᵀ, Wᵀ V, H Hᵀ, W (H Hᵀ), Wᵀ W and",
        "(Wᵀ W) H alone, as nmf_teach computes them: no implementation of the updates can be faster than",
        "that. nmf_teach records the loss at every iteration; scikit-learn's time includes its error",
        "evaluations before and after the loop.",
        "",
        "*all six products* takes, for the two products with V, the faster of their two forms (see the",
        "module docstring). Kernel: the BLAS kernel the case ran with (threadpoolctl's `architecture`).",
        "",
        "| case | kernel | data | V | r | iterations | floor | all six products | nmf_teach | scikit-learn "
        "| nmf_teach / all six products (target) | scikit-learn / nmf_teach (target) | nmf_teach / floor "
        "| forms planned |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for result in results:
        shape = " × ".join(map(str, result["shape"]))
        if result["sparse"]:
            shape += f", sparse, {result['nonzeros']:,} non-zeros"
        target = result["six_products_target"]
        ratio = result["nmf_teach_over_all_products"]
        six_cell = f"{ratio:.2f}" + (f" (≤ {target}: {'met' if ratio <= target else 'missed'})" if target else "")
        speedup, wanted = result["sklearn_over_nmf_teach"], result["sklearn_target"]
        sklearn_cell = f"{speedup:.2f}" + (f" (≥ {wanted}: {'met' if speedup >= wanted else 'missed'})"
                                           if wanted else "")
        planned = result["planned_layouts"]
        lines.append(
            f"| {result['case']} | {result['kernel']} | {result['source']} | {shape} | {result['rank']} "
            f"| {result['iterations']} | {result['floor_ms']:.2f} | {result['median_ms']['all_products']:.2f} "
            f"| {result['median_ms']['nmf_teach']:.2f} | {result['median_ms']['sklearn']:.2f} | {six_cell} "
            f"| {sklearn_cell} | {result['nmf_teach_over_floor']:.2f} "
            f"| V Hᵀ {planned['V_times']}, Vᵀ W {planned['Vt_times']} |"
        )
    lines += [
        "",
        "Where scikit-learn / all six products is below 1.2, the target of 1.2 against scikit-learn cannot be met",
        "by any implementation that computes these products with this BLAS: it would have to be faster than",
        "the products alone.",
        "",
        "Each method alone in a fresh process (median of 3 runs after a warm-up, ms per iteration): "
        + "; ".join(f"{r['case']}: nmf_teach {r['fresh_process_ms']['nmf_teach']:.2f}, "
                    f"scikit-learn {r['fresh_process_ms']['sklearn']:.2f} "
                    f"({r['fresh_process_ms']['sklearn'] / r['fresh_process_ms']['nmf_teach']:.2f}x)"
                    for r in results if "fresh_process_ms" in r)
        + ". In one long process the heap has been shaped by what ran before; in a fresh one a method that "
        "allocates large arrays at every iteration gets fresh pages from the system, and each page costs a fault. "
        "nmf_teach allocates nothing larger than r × r in its loop; scikit-learn allocates its products anew at "
        "every iteration. The two measurements can differ much (see news); the table above is the one in a "
        "single process, after warm-up, with the methods interleaved.",
    ]
    blas = "; ".join(f"{b['internal_api']} {b['version']} ({b['num_threads']} threads, {b['architecture']})"
                     for b in info["blas"])
    lines += [
        "",
        "Floor detail (ms per iteration): "
        + "; ".join(f"{r['case']}: as written {r['median_ms']['floor_as_written']:.2f}, "
                    f"with (Vᵀ W)ᵀ {r['median_ms']['floor_transposed']:.2f}, "
                    f"as nmf_teach computes them {r['median_ms']['floor_as_nmf_teach']:.2f}" for r in results)
        + ".",
        "",
        f"Machine: {info['cpu']}, {info['cpu_count']} CPUs (shared; load average before the run "
        f"{info['load_average_before'][0]:.2f}, after {info['load_average'][0]:.2f}). "
        f"Python {info['python']}, numpy {info['numpy']}, scipy {info['scipy']}, "
        f"scikit-learn {info['scikit-learn']}; BLAS: {blas}.",
        "",
        "Spread of the repeats (slowest / fastest): "
        + "; ".join(f"{r['case']}: " + ", ".join(
            f"{key} {max(r['seconds_per_iteration'][key]) / min(r['seconds_per_iteration'][key]):.2f}"
            for key in ("nmf_teach", "sklearn", "floor_as_nmf_teach")) for r in results)
        + ". The machine is shared with other work; every timing is in the JSON file.",
        "",
        "nmf_teach and scikit-learn end at the same factors (largest relative difference: "
        + ", ".join(f"{r['case']} {r['max_relative_difference_to_sklearn']:.1e}" for r in results) + ").",
        "",
    ]
    return "\n".join(lines)


def run_kernels(kernels, argv, out, name):
    """Run this script once per kernel, each in a subprocess with OPENBLAS_CORETYPE set for it alone; merge."""
    merged = {"machine": None, "results": [], "kernels": {}}
    texts = []
    for chosen in kernels:
        part = f"{name}_{chosen.lower()}"
        environment = {**os.environ, "OPENBLAS_CORETYPE": chosen}
        subprocess.run([sys.executable, __file__, *argv, "--kernel", "current", "--name", part],
                       check=True, env=environment)
        record = json.loads((out / f"{part}.json").read_text())
        merged["machine"] = merged["machine"] or record["machine"]
        merged["kernels"][chosen] = record["machine"]["blas"]
        merged["results"] += record["results"]
        texts.append((out / f"{part}.md").read_text())
    (out / f"{name}.json").write_text(json.dumps(merged, indent=2) + "\n")
    (out / f"{name}.md").write_text("\n\n".join(texts))
    print(f"wrote {out / name}.json and .md (kernels: {', '.join(kernels)})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15,
                        help="interleaved repeats of each method (default 15: the 2 ms CBCL case needs them)")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    parser.add_argument("--cases", nargs="*", default=None, help="only these cases (cbcl, large, news)")
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="wall",
                        help="wall: elapsed time (default); cpu: CPU time of this process, all its threads "
                             "(less sensitive to other programs on a busy machine)")
    parser.add_argument("--threads", type=int, default=None, help="limit BLAS threads (default: BLAS's own)")
    parser.add_argument("--name", default="mu", help="base name of the result files (default: mu)")
    parser.add_argument("--iterations", type=int, default=None, help="iterations per run (default: each case's)")
    parser.add_argument("--kernel", default="auto", choices=["auto", "current", *KERNELS],
                        help="auto (default): on a CPU with AVX-512, every case under both OpenBLAS kernels "
                             f"({', '.join(KERNELS)}), each in a subprocess; current: as this process runs")
    parser.add_argument("--fresh-child", nargs=2, metavar=("CASE", "METHOD"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.fresh_child:
        with threadpoolctl.threadpool_limits(args.threads):
            fresh_process_child(*args.fresh_child, min(args.repeats, 3), args.iterations)
        return
    if args.kernel != "current":
        kernels = KERNELS if args.kernel == "auto" and has_avx512() else (args.kernel,) if args.kernel != "auto" \
            else ()
        if kernels:
            argv = list(sys.argv[1:])
            for option in ("--kernel", "--name"):  # replaced for each subprocess
                if option in argv:
                    i = argv.index(option)
                    del argv[i:i + 2]
            args.out.mkdir(parents=True, exist_ok=True)
            run_kernels(kernels, argv, args.out, args.name)
            return
    load_before = list(os.getloadavg()) if hasattr(os, "getloadavg") else None
    results = []
    limits = threadpoolctl.threadpool_limits(args.threads) if args.threads else None
    for name, V, r, iterations, source in cases(args.cases, args.iterations):
        result = bench_case(name, V, r, iterations, args.repeats, CLOCKS[args.clock])
        result["source"] = source
        result["fresh_process_ms"] = fresh_process_timings(name, min(args.repeats, 3), args.threads, args.iterations)
        results.append(result)
        print(f"{name:6s} [{result['kernel']}] floor {result['floor_ms']:8.2f} ms  nmf_teach "
              f"{result['median_ms']['nmf_teach']:8.2f} ms ({result['nmf_teach_over_all_products']:.2f}x six products, "
              f"{result['nmf_teach_over_floor']:.2f}x floor)  sklearn {result['median_ms']['sklearn']:8.2f} ms "
              f"({result['sklearn_over_nmf_teach']:.2f}x nmf_teach)  all products "
              f"{result['median_ms']['all_products']:8.2f} ms; fresh processes: "
              f"nmf_teach {result['fresh_process_ms']['nmf_teach']:.2f} ms, "
              f"sklearn {result['fresh_process_ms']['sklearn']:.2f} ms", flush=True)
    info = machine()  # (inside the thread limit, so the BLAS threads recorded are those used)
    if limits is not None:
        limits.restore_original_limits()
    info["load_average_before"] = load_before
    info["clock"] = args.clock
    info["command"] = " ".join(["python", "benchmarks/bench_mu.py"] + sys.argv[1:])
    args.out.mkdir(parents=True, exist_ok=True)
    json_path, md_path = args.out / f"{args.name}.json", args.out / f"{args.name}.md"
    json_path.write_text(json.dumps({"machine": info, "results": results}, indent=2) + "\n")
    md_path.write_text(markdown(results, info))
    print(f"wrote {json_path} and {md_path}")


if __name__ == "__main__":
    main()
