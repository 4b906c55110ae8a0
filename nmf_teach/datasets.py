"""Data sets of the book.

``make_swimmer`` generates its images; the real data sets (faces, news) are
loaded from the folder named by the environment variable ``NMF_TEACH_DATA``.
"""

import itertools

import numpy as np

SWIMMER_SIZE = 32
_TORSO = [(row, col) for row in range(9, 22) for col in (15, 16)]
# Each limb: its joint (row, column) and four directions (d_row, d_col) of the
# limb from the joint; rows grow downwards. Left limbs only reach columns
# <= 14 and right limbs columns >= 17, arms rows <= 18 and legs rows >= 22,
# so the parts of different limbs and the torso never share a pixel.
_ARM_DIRECTIONS = [(-0.9, -0.45), (-0.35, -0.94), (0.35, -0.94), (0.9, -0.45)]
_LEG_DIRECTIONS = [(1.0, -0.1), (0.9, -0.45), (0.6, -0.8), (0.2, -0.98)]
_LIMBS = {
    "left arm": ((10, 13), _ARM_DIRECTIONS),
    "right arm": ((10, 18), [(dr, -dc) for dr, dc in _ARM_DIRECTIONS]),
    "left leg": ((22, 14), _LEG_DIRECTIONS),
    "right leg": ((22, 17), [(dr, -dc) for dr, dc in _LEG_DIRECTIONS]),
}


def _segment(joint, direction, length=9):
    """Pixels of a straight limb of ``length`` pixels from ``joint`` along ``direction``."""
    (row, col), (d_row, d_col) = joint, direction
    norm = np.hypot(d_row, d_col)
    pixels = set()
    for t in np.linspace(0, length - 1, 4 * length):
        pixels.add((int(round(row + t * d_row / norm)), int(round(col + t * d_col / norm))))
    return sorted(pixels)


def make_swimmer():
    """The swimmer images (Donoho & Stodden 2003), generated.

    A stick figure: a torso that never moves and four limbs, each in one of
    four positions, so ``4**4 = 256`` images of 32×32 pixels. Every image is
    the sum of its parts (the torso and one position of each limb; the parts
    of different limbs never share a pixel), so ``V = W_true @ H_true``
    exactly with 17 known parts.

    Returns
    -------
    V : numpy.ndarray, shape (1024, 256)
        One image per column, row-major 32×32, values 0 or 1.
    W_true : numpy.ndarray, shape (1024, 17)
        The parts: column 0 is the torso, then 4 positions of each limb.
    H_true : numpy.ndarray, shape (17, 256)
        Which parts each image uses (0 or 1).
    part_names : list of str
        A name for each column of ``W_true``.

    References
    ----------
    D. Donoho and V. Stodden, "When does non-negative matrix factorization
    give a correct decomposition into parts?", NIPS 16 (2003).
    """
    size = SWIMMER_SIZE
    parts = [np.zeros((size, size))]
    names = ["torso"]
    for row, col in _TORSO:
        parts[0][row, col] = 1
    for limb, (joint, directions) in _LIMBS.items():
        for position, direction in enumerate(directions):
            image = np.zeros((size, size))
            for r, c in _segment(joint, direction):
                image[r, c] = 1
            parts.append(image)
            names.append(f"{limb} {position + 1}")
    W_true = np.stack([p.ravel() for p in parts], axis=1)
    H_true = np.zeros((len(parts), 4 ** 4))
    for j, positions in enumerate(itertools.product(range(4), repeat=4)):
        H_true[0, j] = 1
        for limb_index, position in enumerate(positions):
            H_true[1 + 4 * limb_index + position, j] = 1
    V = W_true @ H_true
    return V, W_true, H_true, names
