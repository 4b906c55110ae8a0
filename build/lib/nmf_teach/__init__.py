"""nmf_teach: the mathematics of the Lee–Seung multiplicative updates, small and exact.

Every chapter of the book imports this package to check what it has just
claimed. Names follow the lecture: V (m×n data), W (m×r), H (r×n), rank r,
iteration k.
"""

import sys

from . import loss
from .auxiliary import (
    K_matrix,
    L_matrix,
    L_quadratic_form,
    argmin_G,
    auxiliary_G,
    column_gradient,
    column_objective,
    column_update,
    lemma1_chain,
    taylor_F,
)
from .calculus import gradient_error, numerical_gradient, trace_identities
from .datasets import make_swimmer
from .init import nndsvd_init, random_init
from .loss import cheap_loss, gradient_H, gradient_W, objective
from .solver import NMFResult, nmf
from .updates import (
    gradient_step_H,
    gradient_step_W,
    projected_gradient_step_H,
    projected_gradient_step_W,
    step_size_H,
    step_size_W,
    update_H,
    update_W,
)

# ``nmf_teach.objective`` is the lecture's function f(W, H); its module is nmf_teach.loss. The module's
# former name still imports (``from nmf_teach.objective import cheap_loss_is_accurate``, as the appendix does) and
# never replaces the function: it is already in sys.modules.
sys.modules[__name__ + ".objective"] = loss

__version__ = "0.1.0"

_SUBMODULES = {"auxiliary", "calculus", "datasets", "init", "objective", "plotting", "solver", "updates",
               "widgets", "solvers", "kl", "rounding", "exercises",
               "shown", "reference", "timing", "driver", "numerics", "loss"}


def __getattr__(name):
    """Import a submodule on first use: ``nmf_teach.plotting``, ``nmf_teach.widgets``, ..."""
    if name in _SUBMODULES:
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'nmf_teach' has no attribute {name!r}")

__all__ = [
    "K_matrix", "L_matrix", "L_quadratic_form", "NMFResult", "argmin_G", "auxiliary_G",
    "cheap_loss", "column_gradient", "column_objective", "column_update", "gradient_H",
    "gradient_W", "gradient_error", "gradient_step_H", "gradient_step_W", "lemma1_chain",
    "make_swimmer", "nmf", "nndsvd_init", "numerical_gradient", "objective",
    "projected_gradient_step_H", "projected_gradient_step_W", "random_init", "step_size_H",
    "step_size_W", "taylor_F", "trace_identities", "update_H", "update_W",
]
