"""Prove the book's checks can fail: plant plausible mistakes in nmf_teach, one at a time.

Each mutant is a mistake a student or a lecturer makes in a formula of the
lecture (a sign, a transpose, a missing ½ or factor 2, the old W in the H
update, a wrong K, a projection left out, ...). For each one this script

1. copies ``nmf_teach/`` into a fresh temporary directory and replaces, in
   the copy, each ``old`` text of the mutant by its ``new`` text. Each ``old``
   text must occur exactly once in its file: otherwise the code changed and
   the script stops ("mutant X no longer applies: the code changed");
2. checks that the mistake is really installed: the mutated package imports,
   and the mutant's probe (a few lines on a small input) gives different
   numbers with it than with the unmutated package. A mistake that changes
   nothing is not a mutant; a crashed import is not a catch;
3. executes the chapters that should notice it, most likely catcher first,
   each in a fresh kernel whose ``PYTHONPATH`` starts with the temporary
   directory (a first injected cell asserts that the kernel imported the
   mutated copy), stopping at the first cell that raises. An
   ``AssertionError`` or any other exception in a cell of the chapter counts
   as caught; the first chapter that catches the mutant ends its run.

A mutant that leaves all its chapters passing is a missing check: the script
prints it and exits with status 1. Then, for every chapter that caught a
mutant, the unmutated package runs that chapter up to the last catching cell
(the baseline): a chapter that fails without any mistake proves nothing.

The table (mutant, chapters run, caught by, seconds) is printed and written
to ``_build/mutants.md``. Cell numbers are indices into the notebook's list of
cells, counted from 0 (markdown cells included), as nbformat counts them.

Usage::

    python tools/mutants.py              # every mutant, 2 at a time
    python tools/mutants.py --list       # the mutants, their files and chapters
    python tools/mutants.py --only NAME[,NAME...] --jobs N

``NMF_TEACH_DATA`` must name the data folder (the Makefile exports it).
"""

import argparse
import json
import os
import pickle
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "nmf_teach"
CELL_TIMEOUT = 300  # seconds a single cell may run before the kernel is stopped

# Chapters by short name; a mutant lists them most likely catcher first.
CHAPTERS = {
    "01": "book/01_nonnegative_matrices.ipynb",
    "02": "book/02_approximate_problem.ipynb",
    "03": "book/03_alternating_gradient_descent.ipynb",
    "04": "book/04_matrix_calculus.ipynb",
    "05": "book/05_objective_and_gradients.ipynb",
    "06": "book/06_multiplicative_updates.ipynb",
    "07": "book/07_convergence_theorem.ipynb",
    "08": "book/08_faces.ipynb",
    "09": "book/09_text.ipynb",
    "10": "book/10_beyond.ipynb",
    "errata": "book/errata.ipynb",
    "appendix": "book/appendix_fast.ipynb",
}


@dataclass(frozen=True)
class Mutant:
    """One planted mistake.

    Attributes
    ----------
    name : str
    file : str
        The module, relative to the package (``"loss.py"``).
    edits : tuple of (str, str)
        Pairs (old text, new text); each old text must occur exactly once in
        the file as it is now.
    chapters : tuple of str
        Keys of :data:`CHAPTERS`, the most likely catcher first.
    description : str
        The mistake, in one line.
    probe : str
        Python lines that set ``result`` (an array, a number or a tuple of
        them) from ``nt`` (the package) and ``toy(m, n, r)``; they must give
        different numbers on the mutated package.
    """

    name: str
    file: str
    edits: tuple
    chapters: tuple
    description: str
    probe: str


def _m(name, file, edits, chapters, description, probe):
    if isinstance(edits[0], str):
        edits = (edits,)
    return Mutant(name, file, tuple(tuple(e) for e in edits), tuple(chapters), description,
                  textwrap.dedent(probe).strip())


# Indentation inside the old/new texts is that of the module: 4 spaces in a
# function body, 8 or 12 inside nested blocks.
MUTANTS = [
    # ---- chapter 02 / 05: the objective, its trace form and its gradients ------------------
    _m("objective-no-half", "loss.py",
       ("    return 0.5 * residual_squared_norm(V, W, H)\n", "    return residual_squared_norm(V, W, H)\n"),
       ["05", "02", "errata"], "f = ‖V − WH‖² instead of ½‖V − WH‖²",
       "V, W, H = toy(7, 5, 3); result = nt.objective(V, W, H)"),
    _m("cheap-loss-slide-10", "loss.py",
       ("    return 0.5 * (norm_V2 - 2.0 * cross + quad)\n", "    return norm_V2 - cross + 0.5 * quad\n"),
       ["05", "02", "errata", "appendix"], "slide 10's trace form: ‖V‖² − tr(VᵀWH) + ½tr(HᵀWᵀWH), ½‖V‖² written ‖V‖²",
       "V, W, H = toy(7, 5, 3); result = nt.cheap_loss(V, W, H)"),
    _m("cheap-loss-cross-sign", "loss.py",
       ("    return 0.5 * (norm_V2 - 2.0 * cross + quad)\n", "    return 0.5 * (norm_V2 + 2.0 * cross + quad)\n"),
       ["05", "02", "appendix"], "trace form with + 2tr(VᵀWH): the sign of the cross term",
       "V, W, H = toy(7, 5, 3); result = nt.cheap_loss(V, W, H)"),
    _m("norm-not-squared", "loss.py",
       ("    return math.fsum(partial)\n", "    return math.sqrt(math.fsum(partial))\n"),
       ["02", "05", "appendix"], "‖V‖_F where the loss needs ‖V‖²_F",
       "V, W, H = toy(7, 5, 3); result = nt.cheap_loss(V, W, H)"),
    _m("cheap-loss-switch-eps", "loss.py",
       ("    return loss >= np.sqrt(eps) * norm_V2\n", "    return loss >= eps * norm_V2\n"),
       ["appendix"], "the cheap loss trusted down to ε‖V‖² instead of √ε‖V‖²",
       "from nmf_teach.loss import cheap_loss_is_accurate\n"
       "result = cheap_loss_is_accurate(1e-10, 1.0, np.float64)"),
    _m("relative-error-no-2", "driver.py",
       ("np.sqrt(np.maximum(2 * self.losses, 0) / self.norm_V2)",
        "np.sqrt(np.maximum(self.losses, 0) / self.norm_V2)"),
       ["02", "01"], "relative error √(f/‖V‖²), forgetting f = ½‖V − WH‖²",
       "V, W, H = toy(7, 5, 3); result = nt.nmf(V, 3, iterations=3, seed=0).relative_errors"),
    _m("gradient-W-sign", "loss.py",
       ("    return W @ (H @ H.T) - V @ H.T\n", "    return V @ H.T - W @ (H @ H.T)\n"),
       ["05", "03"], "∇_W f = (V − WH)Hᵀ: the gradient's sign",
       "V, W, H = toy(7, 5, 3); result = nt.gradient_W(V, W, H)"),
    _m("gradient-H-factor-2", "loss.py",
       ("    return (W.T @ W) @ H - product_WtV(V, W)\n", "    return 2 * ((W.T @ W) @ H - product_WtV(V, W))\n"),
       ["05", "03"], "∇_H f = 2Wᵀ(WH − V), the gradient of ‖V − WH‖² and not of ½‖V − WH‖²",
       "V, W, H = toy(7, 5, 3); result = nt.gradient_H(V, W, H)"),
    # ---- chapter 03 / 06: gradient steps, step sizes, multiplicative updates ----------------
    _m("gradient-step-W-plus", "updates.py",
       ("    return (W - alpha * gradient_W(V, W, H)).astype(W.dtype, copy=False)\n",
        "    return (W + alpha * gradient_W(V, W, H)).astype(W.dtype, copy=False)\n"),
       ["06", "03"], "W + α∇_W f: a step up the gradient",
       "V, W, H = toy(7, 5, 3); result = nt.gradient_step_W(V, W, H, 0.01)"),
    _m("gradient-step-H-plus-WtV", "updates.py",
       ("    return (H - alpha * gradient_H(V, W, H)).astype(H.dtype, copy=False)\n",
        "    return (H - alpha * ((W.T @ W) @ H + product_WtV(V, W))).astype(H.dtype, copy=False)\n"),
       ["06", "03"], "∇_H f = WᵀWH + WᵀV in the gradient step (slide 25's + Wᵀv)",
       "V, W, H = toy(7, 5, 3); result = nt.gradient_step_H(V, W, H, 0.01)"),
    _m("projection-W-left-out", "updates.py",
       ("    return np.maximum(gradient_step_W(V, W, H, alpha), 0)\n",
        "    return gradient_step_W(V, W, H, alpha)\n"),
       ["03"], "projected gradient step in W without the max(0, ·)",
       "V, W, H = toy(7, 5, 3); result = nt.projected_gradient_step_W(V, W, H, 1.0)"),
    _m("projection-H-left-out", "updates.py",
       ("    return np.maximum(gradient_step_H(V, W, H, alpha), 0)\n",
        "    return gradient_step_H(V, W, H, alpha)\n"),
       ["03"], "projected gradient step in H without the max(0, ·)",
       "V, W, H = toy(7, 5, 3); result = nt.projected_gradient_step_H(V, W, H, 1.0)"),
    _m("step-size-W-no-W", "updates.py",
       ("    np.divide(W, den, out=out, where=den > 0)\n", "    np.divide(1.0, den, out=out, where=den > 0)\n"),
       ["06"], "Lee–Seung step α_W = 1/(WHHᵀ), the factor W forgotten",
       "V, W, H = toy(7, 5, 3); result = nt.step_size_W(V, W, H)"),
    _m("step-size-H-over-WtV", "updates.py",
       ("    den = (W.T @ W) @ H\n    out = np.zeros_like(den)\n    np.divide(H, den",
        "    den = product_WtV(V, W)\n    out = np.zeros_like(den)\n    np.divide(H, den"),
       ["06"], "Lee–Seung step α_H = H/(WᵀV): the numerator of the update in place of its denominator",
       "V, W, H = toy(7, 5, 3); result = nt.step_size_H(V, W, H)"),
    _m("update-W-upside-down", "updates.py",
       ("    return mu(W, V @ H.T, W @ (H @ H.T))\n", "    return mu(W, W @ (H @ H.T), V @ H.T)\n"),
       ["06", "07", "errata"], "W ∘ WHHᵀ/(VHᵀ): the ratio of the W update upside down",
       "V, W, H = toy(7, 5, 3); result = nt.update_W(V, W, H)"),
    _m("update-H-upside-down", "updates.py",
       ("    return mu(H, product_WtV(V, W), (W.T @ W) @ H)\n", "    return mu(H, (W.T @ W) @ H, product_WtV(V, W))\n"),
       ["06", "07", "errata"], "H ∘ WᵀWH/(WᵀV): the ratio of the H update upside down",
       "V, W, H = toy(7, 5, 3); result = nt.update_H(V, W, H)"),
    _m("zero-denominator-bare", "numerics.py",
       ("    if denominator.min() > 0:  # the usual case: two plain passes\n",
        "    if True:  # the bare formula, zero denominators included\n"),
       ["07", "errata", "10"], "the bare update X ∘ N/D where D has zeros (0/0 = NaN), no zero-denominator rule",
       "V, W, H = toy(7, 5, 3); W[:, 1] = 0; result = nt.update_H(V, W, H)"),
    # ---- the loop of nmf (slides 6, 14, 15) -------------------------------------------------
    _m("H-update-old-W", "solver.py",
       (("        mu_in_place(W, VHt, np.matmul(W, current[\"HHt\"], out=W_HHt))\n",
         "        W_old = W.copy()\n        mu_in_place(W, VHt, np.matmul(W, current[\"HHt\"], out=W_HHt))\n"),
        ("        products.Vt_times(W, out=VtW)\n        WtW = W.T @ W\n",
         "        products.Vt_times(W_old, out=VtW)\n        WtW = W_old.T @ W_old\n")),
       ["06", "errata"], "H⁽ᵏ⁺¹⁾ computed from the old W⁽ᵏ⁾ (slide 15's slip), not from W⁽ᵏ⁺¹⁾",
       "V, W, H = toy(7, 5, 3); result = nt.nmf(V, 3, iterations=3, init=(W, H)).H"),
    _m("update-order-swapped", "solver.py",
       (("        if not current[\"VHt\"]:\n            products.V_times(Ht, out=VHt)\n"
         "        current[\"VHt\"] = False\n"
         "        mu_in_place(W, VHt, np.matmul(W, current[\"HHt\"], out=W_HHt))\n",
         ""),
        ("        mu_in_place(Ht, VtW, np.matmul(Ht, WtW, out=Ht_WtW))\n        current[\"HHt\"] = Ht.T @ Ht\n",
         "        mu_in_place(Ht, VtW, np.matmul(Ht, WtW, out=Ht_WtW))\n        current[\"HHt\"] = Ht.T @ Ht\n"
         "        products.V_times(Ht, out=VHt)\n"
         "        mu_in_place(W, VHt, np.matmul(W, current[\"HHt\"], out=W_HHt))\n"
         "        WtW = W.T @ W\n"
         "        products.Vt_times(W, out=VtW)\n")),
       ["06", "errata"], "each iteration updates H first, then W (the order of slide 6 swapped)",
       "V, W, H = toy(7, 5, 3); result = nt.nmf(V, 3, iterations=3, init=(W, H)).W"),
    # ---- chapter 07: the column problem, F, G, K, L -----------------------------------------
    _m("K-jacobi", "auxiliary.py",
       ("    return np.diag((W.T @ (W @ h_k)) / h_k)\n", "    return np.diag(np.diag(W.T @ W))\n"),
       ["07", "errata"], "K(hᵏ) = diag(WᵀW), the Jacobi diagonal, instead of Diag([WᵀWhᵏ]_a / hᵏ_a)",
       "V, W, H = toy(7, 5, 3); result = nt.K_matrix(W, H[:, 0])"),
    _m("L-one-D_h", "auxiliary.py",
       ("    return h_k[:, None] * M * h_k[None, :]\n", "    return M * h_k[None, :]\n"),
       ["07", "errata"], "L = (K − WᵀW)D_h, one D_h of D_h(K − WᵀW)D_h forgotten",
       "V, W, H = toy(7, 5, 3); result = nt.L_matrix(W, H[:, 0])"),
    _m("L-form-no-half", "auxiliary.py",
       ("    return 0.5 * float(np.sum(WtW * h_k[:, None] * h_k[None, :] * diff2))\n",
        "    return float(np.sum(WtW * h_k[:, None] * h_k[None, :] * diff2))\n"),
       ["07", "errata"], "xᵀLx = Σ_ab (WᵀW)_ab h_a h_b (x_a − x_b)², the ½ forgotten",
       "V, W, H = toy(7, 5, 3); result = nt.L_quadratic_form(W, H[:, 0], H[:, 1])"),
    _m("G-no-half", "auxiliary.py",
       ("                 + 0.5 * _quadratic(d_S, K_matrix(W_S, h_S)))\n",
        "                 + _quadratic(d_S, K_matrix(W_S, h_S)))\n"),
       ["07", "errata"], "G(h | hᵏ) with (h − hᵏ)ᵀK(h − hᵏ), the ½ forgotten",
       "V, W, H = toy(7, 5, 3); result = nt.auxiliary_G(W, V[:, 0], H[:, 0], H[:, 1])"),
    _m("column-gradient-plus-Wtv", "auxiliary.py",
       ("    return W.T @ (W @ h) - W.T @ v\n", "    return W.T @ (W @ h) + W.T @ v\n"),
       ["07", "errata"], "∇f(h) = WᵀWh + Wᵀv (slide 25's + Wᵀv)",
       "V, W, H = toy(7, 5, 3); result = nt.column_gradient(W, V[:, 0], H[:, 0])"),
    _m("argmin-G-step-sign", "auxiliary.py",
       ("        h_next[S] = h_k[S] - column_gradient(W_S, v, h_k[S]) / np.diag(K_matrix(W_S, h_k[S]))\n",
        "        h_next[S] = h_k[S] + column_gradient(W_S, v, h_k[S]) / np.diag(K_matrix(W_S, h_k[S]))\n"),
       ["07", "errata"], "argmin G = hᵏ + K⁻¹∇f(hᵏ): the sign of the step",
       "V, W, H = toy(7, 5, 3); result = nt.argmin_G(W, V[:, 0], H[:, 0])"),
    _m("taylor-no-half", "auxiliary.py",
       ("            + 0.5 * _quadratic(d, W.T @ W))\n", "            + _quadratic(d, W.T @ W))\n"),
       ["07"], "Taylor's F with (h − hᵏ)ᵀWᵀW(h − hᵏ), the ½ of the second-order term forgotten",
       "V, W, H = toy(7, 5, 3); result = nt.taylor_F(W, V[:, 0], H[:, 0], H[:, 1])"),
    _m("column-objective-no-half", "auxiliary.py",
       ("    return 0.5 * float(residual @ residual) if h.ndim == 1 else 0.5 * np.sum(residual**2, axis=0)\n",
        "    return float(residual @ residual) if h.ndim == 1 else np.sum(residual**2, axis=0)\n"),
       ["07", "errata"], "column loss ‖Wh − v‖² instead of ½‖Wh − v‖²",
       "V, W, H = toy(7, 5, 3); result = nt.column_objective(W, V[:, 0], H[:, 0])"),
    # ---- chapter 04: matrix calculus ---------------------------------------------------------
    _m("grad-tr-AX-no-transpose", "calculus.py",
       ("    return np.asarray(A, dtype=np.float64).T.copy()\n", "    return np.asarray(A, dtype=np.float64).copy()\n"),
       ["04"], "∇_X tr(AX) = A instead of Aᵀ",
       "A = np.random.default_rng(0).random((3, 3)); result = nt.calculus.grad_tr_AX(A, A)"),
    _m("grad-tr-XtAX-symmetric", "calculus.py",
       ("    return (A + A.T) @ np.asarray(X, dtype=np.float64)\n",
        "    return 2 * A @ np.asarray(X, dtype=np.float64)\n"),
       ["04"], "∇_X tr(XᵀAX) = 2AX, true only for symmetric A",
       "g = np.random.default_rng(0); result = nt.calculus.grad_tr_XtAX(g.random((3, 3)), g.random((3, 2)))"),
    _m("grad-tr-AXB-BA", "calculus.py",
       ("    return np.asarray(A, dtype=np.float64).T @ np.asarray(B, dtype=np.float64).T\n",
        "    return np.asarray(B, dtype=np.float64) @ np.asarray(A, dtype=np.float64)\n"),
       ["04"], "∇_X tr(AXB) = BA instead of AᵀBᵀ",
       "g = np.random.default_rng(0); A, B = g.random((3, 3)), g.random((3, 3))\n"
       "result = nt.calculus.grad_tr_AXB(A, A, B)"),
    _m("grad-tr-BtXtXB-no-2", "calculus.py",
       ("    return 2 * np.asarray(X, dtype=np.float64) @ B @ B.T\n",
        "    return np.asarray(X, dtype=np.float64) @ B @ B.T\n"),
       ["04"], "∇_X tr(BᵀXᵀXB) = XBBᵀ, the factor 2 forgotten",
       "g = np.random.default_rng(0); result = nt.calculus.grad_tr_BtXtXB(g.random((3, 2)), g.random((2, 4)))"),
    _m("trace-XtX-as-trace-squared", "calculus.py",
       ("    return float(np.trace(X.T @ X))\n", "    return float(np.trace(X) ** 2)\n"),
       ["04"], "tr(XᵀX) computed as tr(X)²",
       "result = nt.calculus.trace_XtX(np.random.default_rng(0).random((4, 3)))"),
    _m("central-difference-no-2", "calculus.py",
       ("        grad[index] = (plus - minus) / (2 * s)\n", "        grad[index] = (plus - minus) / s\n"),
       ["04", "05"], "central difference (φ(X + sE) − φ(X − sE))/s, the 2 of the 2s forgotten",
       "result = nt.numerical_gradient(lambda X: float(np.sum(X**2)), np.ones((2, 2)))"),
    # ---- chapter 10: KL, solvers, starts; _products --------------------------------------------
    _m("kl-H-normalisation-dropped", "kl.py",
       ("    denominator = W.sum(axis=0)[:, None]\n",
        "    denominator = np.ones((W.shape[1], 1), dtype=W.dtype)\n"),
       ["10"], "KL update of H (kl_update_H and nmf_kl's loop) without dividing by the column sums of W",
       "V, W, H = toy(7, 5, 3); result = nt.kl.kl_update_H(V, W, H)"),
    _m("kl-column-update-normalisation-dropped", "kl.py",
       ("    return mu(h_k, W.T @ ratio, W.sum(axis=0))\n", "    return h_k * (W.T @ ratio)\n"),
       ["10"], "KL update of one column without dividing by Σ_i W_ia",
       "V, W, H = toy(7, 5, 3); result = nt.kl.kl_column_update(W, V[:, 0], H[:, 0])"),
    _m("kl-objective-terms-dropped", "kl.py",
       ("        return float(np.sum(xlogy(v, v) - xlogy(v, Wh) - v + Wh))\n",
        "        return float(np.sum(xlogy(v, v) - xlogy(v, Wh)))\n"),
       ["10"], "F(h) = Σ v log(v/Wh), the − v + Wh terms of the divergence dropped",
       "V, W, H = toy(7, 5, 3); result = nt.kl.kl_column_objective(W, V[:, 0], H[:, 0])"),
    _m("kl-divergence-terms-dropped", "kl.py",
       ("    return float(np.sum(xlogy(V64, V64) - xlogy(V64, WH64) - V64 + WH64))\n",
        "    return float(np.sum(xlogy(V64, V64) - xlogy(V64, WH64)))\n"),
       ["10"], "D(V‖WH) = Σ V log(V/WH) for a dense V, the − V + WH terms dropped",
       "V, W, H = toy(7, 5, 3); result = nt.kl.kl_divergence(V, W, H)"),
    _m("kl-pi-not-normalised", "kl.py",
       ("    pi = W * h_k[None, :] / (W @ h_k)[:, None]", "    pi = W * h_k[None, :]"),
       ["10"], "the weights π_ia = W_ia hᵏ_a of the KL auxiliary function, not divided by [Whᵏ]_i",
       "V, W, H = toy(7, 5, 3); result = nt.kl.kl_auxiliary_G(W, V[:, 0], H[:, 0], H[:, 1])"),
    _m("kl-loop-W-normalisation-dropped", "kl.py",
       ("    denominator = H.sum(axis=1)[None, :]\n",
        "    denominator = np.ones((1, H.shape[0]), dtype=H.dtype)\n"),
       ["10"], "KL update of W (nmf_kl's loop and kl_update_W) without dividing by the row sums of H",
       "V, W, H = toy(7, 5, 3); result = nt.kl.nmf_kl(V, 3, iterations=3, init=(W, H)).W"),
    _m("nndsvd-negative-part-sign", "init.py",
       ("        xn, yn = np.maximum(-x, 0), np.maximum(-y, 0)\n",
        "        xn, yn = np.maximum(-x, 0), np.maximum(y, 0)\n"),
       ["10"], "NNDSVD pairs the negative part of u_j with the positive part of v_j",
       "V, W, H = toy(9, 8, 4); result = nt.nndsvd_init(V, 4)"),
    _m("nndsvd-smaller-pair", "init.py",
       ("        if positive >= negative:\n", "        if positive < negative:\n"),
       ["10"], "NNDSVD keeps the pair of parts with the smaller product of norms",
       "V, W, H = toy(9, 8, 4); result = nt.nndsvd_init(V, 4)"),
    _m("hals-projection-left-out", "solvers.py",
       ("        np.maximum(step, -X[k], out=step)      # keeps x_k + step >= 0\n", ""),
       ["10"], "HALS coordinate step without max(0, ·)",
       "V, W, H = toy(7, 5, 3); result = nt.solvers.hals(V, 3, iterations=3, init=(W, H)).W"),
    _m("epsilon-floor-left-out", "solvers.py",
       ("            np.maximum(epsilon, mu_in_place(W, _VHt(V, H), W @ products[\"HHt\"]), out=W)\n",
        "            mu_in_place(W, _VHt(V, H), W @ products[\"HHt\"])\n"),
       ["10"], "ε-MU with the W update not kept ≥ ε",
       "V, W, H = toy(7, 5, 3); W[0, 0] = 1e-9\n"
       "result = nt.solvers.epsilon_mu(V, 3, iterations=3, init=(W, H), epsilon=1e-3).W"),
    _m("sparse-accumulator-not-zeroed", "_products.py",
       (("    out.fill(0)  # the kernel adds to out\n", ""),
        # the kernel's self-check, written by the same hand, feeds it zeroed buffers and so cannot tell
        ("    AX, AtY = np.full((2, 2), np.nan), np.full((3, 2), np.nan)\n",
         "    AX, AtY = np.zeros((2, 2)), np.zeros((3, 2))\n")),
       ["07", "09"], "V Hᵀ and Vᵀ W for a sparse V added onto the previous iteration's products (buffer never zeroed)",
       "import scipy.sparse as sp\n"
       "V, W, H = toy(7, 5, 3); result = nt.nmf(sp.csr_matrix(V), 3, iterations=3, init=(W, H)).H"),
]

PROBE_PRELUDE = """\
import numpy as np
import nmf_teach as nt


def toy(m, n, r, seed=0):
    g = np.random.default_rng(seed)
    return g.random((m, n)), g.random((m, r)) + 0.1, g.random((r, n)) + 0.1
"""


class HarnessError(Exception):
    """The harness could not do what it promises (a mutant not installed, a chapter broken)."""


# --------------------------------------------------------------------------
# Planting a mutant in a copy of the package
# --------------------------------------------------------------------------


def apply_edits(text, mutant):
    """``text`` with every edit of ``mutant`` applied; each old text must occur exactly once."""
    for old, new in mutant.edits:
        count = text.count(old)
        if count != 1:
            where = "does not occur" if count == 0 else f"occurs {count} times"
            raise HarnessError(f"mutant {mutant.name} no longer applies: the code changed "
                               f"({PACKAGE}/{mutant.file}: {old.strip()[:70]!r} {where})")
        text = text.replace(old, new)
    return text


def make_copy(root, destination, mutant=None):
    """Copy ``root/nmf_teach`` into ``destination`` (planting ``mutant`` if given); return the copy's folder.

    ``destination/benchmarks`` links to ``root/benchmarks``: chapter 10 finds
    the benchmark records next to the package it imported.
    """
    destination = Path(destination)
    target = destination / PACKAGE
    shutil.copytree(Path(root) / PACKAGE, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    if (Path(root) / "benchmarks").exists():
        os.symlink(Path(root).resolve() / "benchmarks", destination / "benchmarks")
    if mutant is not None:
        path = target / mutant.file
        original = path.read_text(encoding="utf-8")
        changed = apply_edits(original, mutant)
        if changed == original:
            raise HarnessError(f"mutant {mutant.name} changes no text")
        path.write_text(changed, encoding="utf-8")
    return destination


def environment(package_dir):
    """The environment of a process that must import the package from ``package_dir``."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(package_dir)] + [p for p in [os.environ.get("PYTHONPATH")] if p])
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def run_probes(package_dir, mutants):
    """Run the probes of ``mutants`` with the package of ``package_dir``; return {name: result or error}.

    Each result is a list of float arrays. An exception (the import or the
    probe) is returned as its text, prefixed with ``"error: "``.
    """
    with tempfile.TemporaryDirectory(prefix="mutants-probe-") as scratch:
        spec = Path(scratch) / "probes.json"
        out = Path(scratch) / "results.pickle"
        spec.write_text(json.dumps({m.name: m.probe for m in mutants}))
        try:
            completed = subprocess.run(
                [sys.executable, __file__, "--_probe", str(spec), str(out), str(package_dir)],
                env=environment(package_dir), capture_output=True, text=True, cwd=scratch, timeout=600)
        except subprocess.TimeoutExpired:
            raise HarnessError(f"the probes did not finish in 600 s with {package_dir}") from None
        if completed.returncode != 0 or not out.exists():
            raise HarnessError(f"the probes could not run with {package_dir}:\n{completed.stderr[-2000:]}")
        return pickle.loads(out.read_bytes())


def _probe_main(spec_path, out_path, package_dir):
    """In a fresh process: import the package (it must come from package_dir) and run each probe."""
    import importlib

    import numpy as np

    results = {}
    try:
        package = importlib.import_module(PACKAGE)
        where = os.path.realpath(package.__file__)
        if not where.startswith(os.path.realpath(package_dir) + os.sep):
            raise ImportError(f"{PACKAGE} was imported from {where}, not from {package_dir}")
        for module in IMPORTED_MODULES:
            if (Path(package_dir) / PACKAGE / f"{module}.py").exists():
                importlib.import_module(f"{PACKAGE}.{module}")
    except Exception as error:  # the mutated package does not import
        message = f"error: import failed: {type(error).__name__}: {error}"
        results = {name: message for name in json.loads(Path(spec_path).read_text())}
        Path(out_path).write_bytes(pickle.dumps(results))
        return
    for name, probe in json.loads(Path(spec_path).read_text()).items():
        scope = {}
        try:
            exec(PROBE_PRELUDE + probe, scope)
            value = scope["result"]
            items = value if isinstance(value, (tuple, list)) else (value,)
            results[name] = [np.array(item, dtype=np.float64) for item in items]
        except Exception as error:
            results[name] = f"error: {type(error).__name__}: {error}"
    Path(out_path).write_bytes(pickle.dumps(results))


# Every module of the package the book imports: a mutated package must import all of them.
IMPORTED_MODULES = ("objective", "updates", "auxiliary", "calculus", "solver", "solvers", "kl", "init",
                        "_products")


def differs(original, mutated):
    """Whether two probe results are different numbers (shapes, values, or where the NaN are)."""
    import numpy as np

    if len(original) != len(mutated):
        return True
    for a, b in zip(original, mutated, strict=True):
        if a.shape != b.shape or not np.array_equal(a, b, equal_nan=True):
            return True
    return False


def check_installed(mutant, original, mutated):
    """Raise HarnessError unless the mutated probe ran and gave numbers different from the original's."""
    if isinstance(original, str):
        raise HarnessError(f"mutant {mutant.name}: its probe fails on the unmutated package ({original[7:]})")
    if isinstance(mutated, str):
        raise HarnessError(f"mutant {mutant.name} is not installed: with it {mutated[7:]} "
                           "(a crash is not a catch; give the probe an input where it computes numbers)")
    if not differs(original, mutated):
        raise HarnessError(f"mutant {mutant.name} changes nothing: its probe gives the same numbers "
                           "with and without it (a mutant that changes nothing is not a mutant)")


# --------------------------------------------------------------------------
# Executing a chapter in a fresh kernel
# --------------------------------------------------------------------------

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
NOT_A_CATCH = ("ImportError", "ModuleNotFoundError", "SyntaxError", "IndentationError")


def _failing_line(traceback_lines):
    """The line of the cell that raised, from an IPython traceback (the first ``---->`` line)."""
    text = _ANSI.sub("", "\n".join(traceback_lines))
    for line in text.splitlines():
        if line.lstrip().startswith("--->") or line.lstrip().startswith("---->"):
            return re.sub(r"^\s*-+>\s*\d*\s?", "", line).strip()
    return ""


def _execute_main(notebook, package_dir, stop_after):
    """In a fresh process: run ``notebook`` cell by cell in a new kernel; print a JSON verdict.

    A first injected cell asserts that the kernel imports the package from
    ``package_dir``. The verdict is ``{"status": "passed"}`` or
    ``{"status": "caught", "cell", "ename", "evalue", "line"}`` or
    ``{"status": "broken", "reason"}`` (the package is not the mutated one,
    or the error is an import or syntax error: not a catch).
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    nb = nbformat.read(notebook, as_version=4)
    expected = os.path.realpath(package_dir)
    check = nbformat.v4.new_code_cell(
        "import os as _os, nmf_teach as _nt\n"
        "_where = _os.path.realpath(_nt.__file__)\n"
        f"assert _where.startswith({expected + os.sep!r}), 'the kernel imported ' + _where\n"
        "print('nmf_teach from', _where)\n"
        "del _os, _nt, _where\n")
    client = NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                            resources={"metadata": {"path": str(Path(notebook).parent)}})
    verdict = {"status": "passed"}
    with client.setup_kernel():
        try:
            client.execute_cell(check, 0)
        except CellExecutionError as error:
            print(json.dumps({"status": "broken", "reason": f"package check failed: {error.ename}: {error.evalue}"}))
            return
        for index, cell in enumerate(nb.cells):
            if stop_after is not None and index > stop_after:
                break
            if cell.cell_type != "code":
                continue
            try:
                client.execute_cell(cell, index)
            except CellExecutionError as error:
                if error.ename in NOT_A_CATCH:
                    verdict = {"status": "broken", "reason": f"cell {index}: {error.ename}: {error.evalue}"}
                else:
                    traceback = getattr(error, "traceback", "")
                    lines = traceback.splitlines() if isinstance(traceback, str) else list(traceback)
                    verdict = {"status": "caught", "cell": index, "ename": error.ename,
                               "evalue": (error.evalue or "").splitlines()[0] if error.evalue else "",
                               "line": _failing_line(lines)}
                break
            except (CellTimeoutError, DeadKernelError) as error:
                verdict = {"status": "caught", "cell": index, "ename": type(error).__name__,
                           "evalue": str(error).splitlines()[0], "line": ""}
                break
    print(json.dumps(verdict))


def execute_chapter(chapter, package_dir, stop_after=None):
    """Run one chapter against the package in ``package_dir``; return the verdict (a dict)."""
    notebook = ROOT / CHAPTERS[chapter]
    command = [sys.executable, __file__, "--_execute", str(notebook), str(package_dir)]
    if stop_after is not None:
        command.append(str(stop_after))
    completed = subprocess.run(command, env=environment(package_dir), capture_output=True, text=True,
                               cwd=notebook.parent)
    lines = [line for line in completed.stdout.splitlines() if line.startswith("{")]
    if completed.returncode != 0 or not lines:
        return {"status": "broken", "reason": f"the runner failed: {completed.stderr.strip()[-1500:]}"}
    return json.loads(lines[-1])


# --------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------


@dataclass
class Outcome:
    mutant: Mutant
    chapters_run: list = field(default_factory=list)
    verdict: dict = None
    caught_by: str = None
    also: list = field(default_factory=list)  # with --all-chapters: the other chapters' verdicts
    seconds: float = 0.0
    error: str = None


def describe(chapter, verdict):
    """``ch05 cell 14: assert worst_W < 1e-6 (AssertionError)``."""
    where = f"ch{chapter} cell {verdict['cell']}" if chapter.isdigit() else f"{chapter} cell {verdict['cell']}"
    what = verdict["line"] or verdict["evalue"]
    detail = verdict["ename"] + (f": {verdict['evalue']}" if verdict["evalue"] and verdict["line"] else "")
    return f"{where}: {what} ({detail})"


def run_mutant(mutant, original_results, log, all_chapters=False, keep=False):
    outcome = Outcome(mutant)
    start = time.perf_counter()
    scratch = tempfile.mkdtemp(prefix=f"mutant-{mutant.name}-")
    try:
        package_dir = make_copy(ROOT, scratch, mutant)
        mutated = run_probes(package_dir, [mutant])[mutant.name]
        check_installed(mutant, original_results[mutant.name], mutated)
        for chapter in mutant.chapters:
            outcome.chapters_run.append(chapter)
            verdict = execute_chapter(chapter, package_dir)
            if verdict["status"] == "broken":
                raise HarnessError(f"mutant {mutant.name}, chapter {chapter}: {verdict['reason']}")
            if verdict["status"] == "caught" and outcome.verdict is None:
                outcome.verdict = dict(verdict, chapter=chapter)
                outcome.caught_by = describe(chapter, verdict)
                if not all_chapters:
                    break
            elif verdict["status"] == "caught":
                outcome.also.append(f"{chapter} cell {verdict['cell']}")
            elif outcome.verdict is not None:
                outcome.also.append(f"{chapter} passes")
    except HarnessError as error:
        outcome.error = str(error)
    finally:
        if not keep:
            shutil.rmtree(scratch, ignore_errors=True)
    outcome.seconds = time.perf_counter() - start
    status = outcome.caught_by or outcome.error or "SURVIVED: no chapter noticed"
    if outcome.also:
        status += f" [also: {'; '.join(outcome.also)}]"
    log(f"{mutant.name:40s} {outcome.seconds:6.1f} s  {','.join(outcome.chapters_run):14s} {status}")
    return outcome


def run_baseline(chapter, last_cell, package_dir):
    """Run ``chapter`` unmutated up to ``last_cell``; return None if it passes, else the reason."""
    verdict = execute_chapter(chapter, package_dir, stop_after=last_cell)
    if verdict["status"] == "passed":
        return None
    if verdict["status"] == "caught":
        return f"chapter {chapter} fails WITHOUT any mutant: {describe(chapter, verdict)}"
    return f"chapter {chapter} could not run unmutated: {verdict['reason']}"


def table(outcomes, baseline_notes, seconds):
    def cell(text):
        return str(text).replace("|", "\\|").replace("\n", " ")

    lines = [
        "# Mutation run: each planted mistake and the check that caught it",
        "",
        f"{len(outcomes)} mutants, {sum(o.caught_by is not None for o in outcomes)} caught, "
        f"{seconds:.0f} s in all. Cell numbers count every cell of the notebook from 0.",
        "",
        "| mutant | mistake | chapters run | caught by | seconds |",
        "|---|---|---|---|---|",
    ]
    for o in outcomes:
        status = o.caught_by or (f"**ERROR** {o.error}" if o.error else "**SURVIVED**")
        if o.also:
            status += f" (also: {'; '.join(o.also)})"
        lines.append(f"| {cell(o.mutant.name)} | {cell(o.mutant.description)} | {', '.join(o.chapters_run)} "
                     f"| {cell(status)} | {o.seconds:.1f} |")
    if baseline_notes:
        lines += ["", "Baseline (each catching chapter, unmutated, up to its last catching cell):", ""]
        lines += [f"- {note}" for note in baseline_notes]
    return "\n".join(lines) + "\n"


def select(only):
    if not only:
        return list(MUTANTS)
    names = [name.strip() for name in only.split(",") if name.strip()]
    known = {m.name: m for m in MUTANTS}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise SystemExit(f"unknown mutant(s): {', '.join(unknown)}; see --list")
    return [known[name] for name in names]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--list", action="store_true", help="list the mutants and exit")
    parser.add_argument("--only", help="run only these mutants (comma-separated names)")
    parser.add_argument("--jobs", type=int, default=2, help="mutants run at once (default 2)")
    parser.add_argument("--all-chapters", action="store_true",
                        help="run every listed chapter of a mutant, not only up to the first that catches it")
    parser.add_argument("--no-baseline", action="store_true",
                        help="skip re-running the catching chapters without a mutant")
    parser.add_argument("--keep", action="store_true", help="keep the mutated copies (printed paths)")
    parser.add_argument("--output", default=str(ROOT / "_build" / "mutants.md"), help="where to write the table")
    args = parser.parse_args(argv)

    mutants = select(args.only)
    if args.list:
        for m in mutants:
            print(f"{m.name:40s} {m.file:14s} {','.join(m.chapters):16s} {m.description}")
        print(f"{len(mutants)} mutants")
        return 0
    if not os.environ.get("NMF_TEACH_DATA"):
        raise SystemExit("NMF_TEACH_DATA is not set: point it at the data folder (the Makefile exports it)")
    if args.jobs < 1:
        raise SystemExit("--jobs must be at least 1")

    start = time.perf_counter()
    lock = threading.Lock()

    def log(message):
        with lock:
            print(message, flush=True)

    # Every mutant's old text must still be in the code, before anything runs.
    problems = []
    for m in mutants:
        try:
            apply_edits((ROOT / PACKAGE / m.file).read_text(encoding="utf-8"), m)
        except HarnessError as error:
            problems.append(str(error))
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1

    reference = tempfile.mkdtemp(prefix="mutants-unmutated-")
    try:
        reference_dir = make_copy(ROOT, reference)
        original_results = run_probes(reference_dir, mutants)
        log(f"{len(mutants)} mutants, {args.jobs} at a time; probes of the unmutated package done")
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            outcomes = list(pool.map(lambda m: run_mutant(m, original_results, log, args.all_chapters, args.keep),
                                     mutants))
        baseline_notes, baseline_failures = [], []
        if not args.no_baseline:
            last = {}
            for o in outcomes:
                if o.verdict is not None:
                    chapter = o.verdict["chapter"]
                    last[chapter] = max(last.get(chapter, -1), o.verdict["cell"])
            with ThreadPoolExecutor(max_workers=args.jobs) as pool:
                reasons = list(pool.map(lambda item: run_baseline(item[0], item[1], reference_dir),
                                        sorted(last.items())))
            for (chapter, cell), reason in zip(sorted(last.items()), reasons, strict=True):
                if reason is None:
                    baseline_notes.append(f"chapter {chapter} passes unmutated through cell {cell}")
                else:
                    baseline_notes.append(f"**{reason}**")
                    baseline_failures.append(reason)
            log(f"baseline: {len(last)} catching chapters re-run unmutated, {len(baseline_failures)} failed")
    finally:
        shutil.rmtree(reference, ignore_errors=True)

    seconds = time.perf_counter() - start
    report = table(outcomes, baseline_notes, seconds)
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(report, encoding="utf-8")
    print()
    print(report)
    print(f"(written to {output})")

    survivors = [o.mutant.name for o in outcomes if o.caught_by is None and o.error is None]
    errors = [o.error for o in outcomes if o.error is not None]
    for error in errors:
        print(f"ERROR: {error}", file=sys.stderr)
    if survivors:
        print(f"SURVIVED (a missing check in the book): {', '.join(survivors)}", file=sys.stderr)
    for reason in baseline_failures:
        print(f"BASELINE: {reason}", file=sys.stderr)
    return 1 if survivors or errors or baseline_failures else 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--_probe":
        _probe_main(*sys.argv[2:5])
    elif len(sys.argv) > 1 and sys.argv[1] == "--_execute":
        _execute_main(sys.argv[2], sys.argv[3], int(sys.argv[4]) if len(sys.argv) > 4 else None)
    else:
        sys.exit(main())
