"""Data sets of the book.

``make_swimmer`` generates its images. The real data sets are loaded by
:func:`load_cbcl_faces`, :func:`load_olivetti_faces`, :func:`load_news` (the
BBC news word counts) and :func:`load_grolier`. Each looks, in this order,

1. in the folder named by the environment variable ``NMF_TEACH_DATA`` (the
   book's tests and CI point it at the prepared files of ``shared/data``;
   the file names are the ones used there),
2. in a per-user cache, :func:`cache_folder` (``pooch.os_cache``: on Linux
   ``$XDG_CACHE_HOME/nmf_teach``, by default ``~/.cache/nmf_teach``),

for the converted files, then for the original download (put there by hand).
If neither is found it fetches the original from its public home through
`pooch <https://www.fatiando.org/pooch/>`_ (the address and sha256 of each source are in
the ``sources`` of each data set below; the download is atomic, with a progress bar when tqdm is
installed), converts it, checks the converted arrays against the sha256 of
the prepared files, and writes them to the cache (``.npz``, read with
``allow_pickle=False``; nothing is pickled); the download itself is not
kept. When all of that fails it raises :class:`DataUnavailableError`, which
names the file, the address to fetch it from and the folder to put it in.

Building the BBC counts from the raw texts needs scikit-learn's English stop
words (``pip install 'nmf_teach[news]'``); reading the prepared counts does
not.
"""

import hashlib
import io
import itertools
import os
import re
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

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


# ---------------------------------------------------------------------------
# Where the data lives
# ---------------------------------------------------------------------------

DATA_ENV = "NMF_TEACH_DATA"
DOWNLOAD_TIMEOUT = 60  # seconds without an answer before a download gives up


class DataUnavailableError(OSError):
    """A data set is neither in a data folder nor could it be downloaded and checked."""


def cache_folder():
    """The per-user cache, ``pooch.os_cache("nmf_teach")``: on Linux ``$XDG_CACHE_HOME/nmf_teach``, by default
    ``~/.cache/nmf_teach``."""
    import pooch  # here, not at the top: make_swimmer and ``import nmf_teach`` need no download machinery

    return Path(pooch.os_cache("nmf_teach"))


def data_folders():
    """The folders searched, in order: ``$NMF_TEACH_DATA`` (if set), then :func:`cache_folder`."""
    folders = []
    if os.environ.get(DATA_ENV):
        folders.append(Path(os.environ[DATA_ENV]).expanduser())
    folders.append(cache_folder())
    return folders


@dataclass(frozen=True)
class Source:
    """One public home of an original file: a line of the registry.

    ``sha256`` is the checksum of the file at ``url``; ``None`` means no
    checksum of that file is known, and only the converted arrays can be
    checked (see ``_Spec.content_sha256``).
    """

    url: str
    filename: str
    sha256: object = None


@dataclass(frozen=True)
class _Spec:
    """How to find, fetch, convert and check one data set."""

    title: str
    files: tuple            # the converted files, names as in shared/data
    sources: tuple          # Source objects, tried in order
    convert: object         # path of the original file -> payload
    write: object           # (payload, folder) -> None
    digest: object          # payload -> sha256 of its content
    content_sha256: object  # expected digest, or None if unknown


def _digest_arrays(*items):
    """sha256 of arrays and lists of strings, independent of how they were stored."""
    h = hashlib.sha256()
    for item in items:
        if isinstance(item, (list, tuple)):
            h.update(b"strings\0" + "\n".join(item).encode("utf-8") + b"\0")
        else:
            a = np.ascontiguousarray(item)
            if a.dtype.kind == "U":
                h.update(b"strings\0" + "\n".join(a.tolist()).encode("utf-8") + b"\0")
            else:
                h.update(f"{a.dtype.str}{a.shape}".encode() + b"\0" + a.tobytes())
    return h.hexdigest()


def _progressbar():
    """pooch draws a progress bar with tqdm, when it is installed (``pip install 'nmf_teach[progress]'``)."""
    try:
        import tqdm  # noqa: F401
    except ImportError:
        return False
    return True


def _fetch(src, folder):
    """Download ``src`` into ``folder`` through pooch; return its path.

    pooch downloads to a temporary file beside the target, checks the sha256
    when it is known (a file that differs is deleted and ``ValueError`` is
    raised) and only then moves it into place, so an interrupted or damaged
    download never looks like a file at hand.
    """
    import pooch

    known = None if src.sha256 is None else f"sha256:{src.sha256}"
    downloader = pooch.HTTPDownloader(progressbar=_progressbar(), timeout=DOWNLOAD_TIMEOUT)
    return Path(pooch.retrieve(src.url, known, fname=src.filename, path=folder, downloader=downloader))


def _convert_checked(spec, raw_path):
    """Convert an original file and check the result against ``spec.content_sha256``."""
    payload = spec.convert(raw_path)
    if spec.content_sha256 is not None:
        got = spec.digest(payload)
        if got != spec.content_sha256:
            raise ValueError(
                f"the {spec.title} converted from {raw_path.name} differ from the book's copy "
                f"(content sha256 {got}, expected {spec.content_sha256})"
            )
    return payload


def _store(spec, payload):
    folder = cache_folder()
    folder.mkdir(parents=True, exist_ok=True)
    spec.write(payload, folder)
    return folder


def _atomic_write(path, write):
    """Write through ``write(file_object)`` to a temporary file, then move it to ``path``."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _unavailable(spec, problems):
    src = spec.sources[0]
    others = "".join(f"\n  or {s.url}" for s in spec.sources[1:])
    tried = "".join(f"\n  - {p}" for p in problems) or "\n  - (nothing tried)"
    env = os.environ.get(DATA_ENV)
    return DataUnavailableError(
        f"The {spec.title} are not available.\n"
        f"Looked for {', '.join(spec.files)} in: {', '.join(str(f) for f in data_folders())}"
        f" (${DATA_ENV} is {'set to ' + env if env else 'not set'}).\n"
        f"What was tried:{tried}\n"
        f"To fix it, download {src.filename} from\n  {src.url}{others}\n"
        f"and put it in {cache_folder()} (it is converted and checked on first use), "
        f"or set {DATA_ENV} to a folder that holds {', '.join(spec.files)}."
    )


_CONVERSION_ERRORS = (ValueError, OSError, KeyError, tarfile.TarError, zipfile.BadZipFile)


def _locate(spec, download=True, before_download=None):
    """The folder holding ``spec.files``: found, converted from a file at hand, or downloaded.

    ``before_download`` is called once before the first download (the news
    loader checks there that it can count words).
    """
    import pooch

    folders = data_folders()
    for folder in folders:
        if all((folder / name).is_file() for name in spec.files):
            return folder
    # An original file put in a data folder by hand: check, convert, cache (the file is kept).
    for folder in folders:
        for filename in dict.fromkeys(src.filename for src in spec.sources):
            raw = folder / filename
            if not raw.is_file():
                continue
            known = [src.sha256 for src in spec.sources if src.filename == filename]
            got = pooch.file_hash(str(raw))
            if None not in known and got not in known:
                raise DataUnavailableError(
                    f"{raw} has sha256 {got}, but {filename} from "
                    f"{spec.sources[0].url} has sha256 {' or '.join(known)}: the file is damaged or a "
                    f"different version. Delete it and download it again."
                )
            return _store(spec, _convert_checked(spec, raw))
    if not download:
        raise _unavailable(spec, ["no download attempted (download=False)"])
    if before_download is not None:
        before_download()
    problems = []
    for src in spec.sources:
        try:
            raw = _fetch(src, cache_folder())
        except ValueError as error:  # pooch: the sha256 differs (the file is deleted), or an address it cannot fetch
            problems.append(f"download of {src.url} refused: {error}")
            continue
        except OSError as error:  # requests' errors (refused, timeout, HTTP 404) are OSErrors
            problems.append(f"download of {src.url} failed: {error}")
            continue
        try:
            return _store(spec, _convert_checked(spec, raw))
        except _CONVERSION_ERRORS as error:
            problems.append(f"{src.filename} from {src.url} could not be converted: {error}")
        finally:
            raw.unlink(missing_ok=True)  # only the converted arrays are kept
    raise _unavailable(spec, problems)


# ---------------------------------------------------------------------------
# Archives and images
# ---------------------------------------------------------------------------


def read_pgm(data):
    """The pixels of a binary PGM image (``P5``), as a 2-D uint8 (uint16 if the maximum grey level exceeds 255) array.

    Parameters
    ----------
    data : bytes
        The whole file.

    Returns
    -------
    numpy.ndarray, shape (height, width)
    """
    tokens, pos = [], 0
    while len(tokens) < 4:
        match = re.compile(rb"\s*(?:#[^\n]*\n\s*)*(\S+)").match(data, pos)
        if match is None:
            raise ValueError("not a PGM file: its header ends too early")
        tokens.append(match.group(1))
        pos = match.end()
    magic, width, height, maxval = tokens[0], *(int(t) for t in tokens[1:])
    if magic != b"P5":
        raise ValueError(f"only binary PGM (P5) is read, this file starts with {magic[:2]!r}")
    pos += 1  # exactly one whitespace byte after the maximum value
    dtype = np.uint8 if maxval < 256 else np.dtype(">u2")
    count = width * height
    available = max(len(data) - pos, 0) // np.dtype(dtype).itemsize
    if available < count:
        raise ValueError(f"PGM of {width}x{height} pixels holds only {available} of them")
    pixels = np.frombuffer(data, dtype=dtype, count=count, offset=pos)
    return pixels.reshape(height, width).astype(np.uint8 if maxval < 256 else np.uint16)


def _archive_members(data, skip=lambda name: False):
    """(name, bytes) of every file in a zip or tar (any compression), descending into nested archives."""
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            items = [(info.filename, archive.read(info)) for info in archive.infolist() if not info.is_dir()]
    else:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as archive:
            items = [(m.name, archive.extractfile(m).read()) for m in archive.getmembers() if m.isfile()]
    for name, content in items:
        if skip(name):
            continue
        if re.search(r"\.(zip|tar|tar\.gz|tgz)$", name):
            yield from _archive_members(content, skip)
        else:
            yield name, content


# ---------------------------------------------------------------------------
# Faces: CBCL and Olivetti
# ---------------------------------------------------------------------------


@dataclass
class Faces:
    """Face images, one per column of ``V`` as in Lee & Seung (1999).

    Attributes
    ----------
    V : numpy.ndarray, shape (pixels, images), float64
        The images after ``normalize`` (see :func:`normalize_faces`).
    images : numpy.ndarray, shape (images, pixels), uint8
        The grey levels as stored; ``images[i].reshape(image_shape)`` is upright.
    image_shape : tuple of int
        (height, width).
    normalize : str or None
        The normalization applied to get ``V``.
    invert : bool
        Whether ``V`` holds darkness (255 minus the grey level) rather than brightness.
    filenames : numpy.ndarray of str or None
        CBCL: the PGM file each image comes from.
    target : numpy.ndarray or None
        Olivetti: the subject (0..39) of each image.
    """

    V: np.ndarray
    images: np.ndarray
    image_shape: tuple
    normalize: object
    invert: bool = False
    filenames: object = None
    target: object = None


def lee_seung_normalize(V):
    """Lee & Seung's (1999) normalization of face images, one image per column.

    Each image is scaled linearly so that its pixel mean and standard
    deviation are both 0.25, then clipped to [0, 1]::

        z = clip((x - mean(x)) / std(x) * 0.25 + 0.25, 0, 1)

    An image of constant grey (std 0) becomes 0.25 everywhere.

    Parameters
    ----------
    V : array_like, shape (pixels, images)

    Returns
    -------
    numpy.ndarray, float64, values in [0, 1]
    """
    V = np.asarray(V, dtype=np.float64)
    mean = V.mean(axis=0, keepdims=True)
    std = V.std(axis=0, keepdims=True)
    safe = np.where(std > 0, std, 1.0)
    return np.clip((V - mean) / safe * 0.25 + 0.25, 0.0, 1.0)


def normalize_faces(images, normalize, invert=False):
    """``V`` (pixels × images, float64) from stored 8-bit grey levels (images × pixels).

    ``invert=True`` first replaces each grey level x by its darkness
    ``255 - x``, so that dark features (eyes, brows, nostrils, mouth) are the
    large values. Then ``normalize`` is ``"lee-seung"``
    (:func:`lee_seung_normalize`), ``"unit"`` (divide by the largest value in
    the set, so the largest pixel is 1; for Olivetti without inversion this is
    scikit-learn's ``fetch_olivetti_faces().data``) or ``None`` (the values
    as floats).
    """
    V = np.asarray(images, dtype=np.float64).T
    if invert:
        V = 255.0 - V
    if normalize is None:
        return V.copy()
    if normalize == "unit":
        return V / V.max()
    if normalize == "lee-seung":
        return lee_seung_normalize(V)
    raise ValueError(f"normalize must be 'lee-seung', 'unit' or None, got {normalize!r}")


def _convert_cbcl(path):
    """The 2429 training faces of the CBCL archive (tar.gz with nested tar.gz, or zip of PGMs)."""
    pattern = re.compile(r"face\d{5}\.pgm")

    def skip(name):  # the test set and the non-faces are not wanted
        parts = name.lower().replace("\\", "/").split("/")
        return any("test" in p or "non-face" in p or "nonface" in p or p.startswith("._") for p in parts)

    found = {}
    for name, content in _archive_members(Path(path).read_bytes(), skip):
        base = name.replace("\\", "/").rsplit("/", 1)[-1]
        if pattern.fullmatch(base):
            if base in found:
                raise ValueError(f"{path.name} holds two files named {base}")
            found[base] = read_pgm(content)
    if not found:
        raise ValueError(f"{Path(path).name} holds no file named faceNNNNN.pgm")
    names = sorted(found)
    shapes = {found[n].shape for n in names}
    if len(shapes) != 1 or found[names[0]].dtype != np.uint8:
        raise ValueError(f"the face images differ in size or depth: {sorted(shapes)}")
    faces = np.stack([found[n].ravel() for n in names])
    return {"faces": faces, "filenames": np.array(names)}


def _write_npz(filename):
    def write(payload, folder):
        _atomic_write(folder / filename, lambda f: np.savez_compressed(f, **payload))
    return write


CBCL = _Spec(
    title="CBCL faces",
    files=("cbcl_faces.npz",),
    sources=(
        # The public home. No checksum of this archive is known: only the
        # converted pixels are checked (content_sha256 below).
        Source("http://cbcl.mit.edu/projects/cbcl/software-datasets/faces.tar.gz", "faces.tar.gz", None),
        # The copy shared/data/cbcl_faces.npz was made from (its sha256 is known).
        Source("https://raw.githubusercontent.com/timothy-lab-perso/"
               "Nonlinear-Nonnegative-Matrix-Factorization-Two-Layer-Model/"
               "93f22ce3e88d66ebefb0d0f64f263280dbf328db/cbcl_faces.zip", "cbcl_faces.zip",
               "b85ccd3fde591fe07784f0923a93eaffe0f5752e6638c57b33d6bfa95008b3f2"),
    ),
    convert=_convert_cbcl,
    write=_write_npz("cbcl_faces.npz"),
    digest=lambda p: _digest_arrays(p["faces"], p["filenames"]),
    content_sha256="f588f52317cd5865805e844ee126b379d870b8690aa3c857826f7ef8d21fcf39",
)


def load_cbcl_faces(normalize="lee-seung", *, invert=False, download=True):
    """The 2429 training faces of the CBCL Face Database #1, 19×19 pixels.

    The data set of Lee & Seung (1999). Credit: "CBCL Face Database #1, MIT
    Center For Biological and Computation Learning".

    Parameters
    ----------
    normalize : {"lee-seung", "unit", None}
        How ``V`` is made from the grey levels (see :func:`normalize_faces`).
        ``"lee-seung"``, the default, is the paper's: mean and standard
        deviation 0.25 per image, clipped to [0, 1].
    invert : bool
        Use darkness (255 minus the grey level) instead of brightness, before
        normalizing. The CBCL copies circulated with NMF code store it so
        (Gillis's ``CBCL.mat``: ``1 - p/256``); with it, NMF's parts are the
        dark features of a face.
    download : bool
        Download the archive if it is in no data folder.

    Returns
    -------
    Faces
        ``V`` of shape (361, 2429); ``images`` (2429, 361) uint8, 0..255;
        ``filenames`` ``face00001.pgm`` ... ``face02429.pgm``.

    Raises
    ------
    DataUnavailableError
        If the data is nowhere and cannot be downloaded; the message says
        what to download and where to put it.
    """
    folder = _locate(CBCL, download)
    with np.load(folder / "cbcl_faces.npz", allow_pickle=False) as d:
        images, filenames = d["faces"], d["filenames"]
    return Faces(V=normalize_faces(images, normalize, invert), images=images, image_shape=(19, 19),
                 normalize=normalize, invert=invert, filenames=filenames)


def _convert_olivetti(path):
    """Roweis's ``olivettifaces.mat``: ``faces`` 4096×400, one column-major 64×64 image per column."""
    from scipy.io import loadmat

    faces = loadmat(path)["faces"]
    if faces.ndim != 2 or faces.shape[0] != 4096:
        raise ValueError(f"'faces' in {Path(path).name} has shape {faces.shape}, expected (4096, n)")
    if not (np.all(faces >= 0) and np.all(faces <= 255) and np.all(faces == np.round(faces))):
        raise ValueError(f"'faces' in {Path(path).name} are not grey levels 0..255")
    n = faces.shape[1]
    # column-major 64x64 -> upright, row-major
    images = faces.T.reshape(n, 64, 64).transpose(0, 2, 1).reshape(n, 4096).astype(np.uint8)
    return {"faces": images, "target": (np.arange(n) // 10).astype(np.uint8)}


OLIVETTI = _Spec(
    title="Olivetti faces",
    files=("olivetti_faces.npz",),
    sources=(
        # Sam Roweis's page, the public home of the 64x64 version. No checksum of it is known here.
        Source("https://cs.nyu.edu/~roweis/data/olivettifaces.mat", "olivettifaces.mat", None),
        # scikit-learn's mirror of the same file, with the checksum scikit-learn checks.
        Source("https://ndownloader.figshare.com/files/5976027", "olivettifaces.mat",
               "b612fb967f2dc77c9c62d3e1266e0c73d5fca46a4b8906c18e454d41af987794"),
        # The 2013 re-save that shared/data/olivetti_faces.npz was made from.
        Source("https://raw.githubusercontent.com/sjgershm/DBM/f2c3daacb880342847ed24283fb5a753c006b5d6/"
               "olivettifaces.mat", "olivettifaces.mat",
               "b1988d02c72fe5b8ee82b5ef3bb7982eafc74f1e1ff0ae0ade35061ad0af534d"),
    ),
    convert=_convert_olivetti,
    write=_write_npz("olivetti_faces.npz"),
    digest=lambda p: _digest_arrays(p["faces"], p["target"]),
    content_sha256="52d1119c7f9dee5cea440efbc44e5c48f4639d926738478e2517c0c4ffc8a73b",
)


def load_olivetti_faces(normalize="lee-seung", *, invert=False, download=True):
    """The Olivetti (AT&T, formerly ORL) faces: 400 images of 40 people, 64×64 pixels.

    Sam Roweis's 64×64 version, the one scikit-learn's
    ``fetch_olivetti_faces`` uses. Credit: AT&T Laboratories Cambridge.

    Parameters
    ----------
    normalize : {"lee-seung", "unit", None}
        See :func:`normalize_faces`; ``"unit"`` gives scikit-learn's
        ``fetch_olivetti_faces().data`` (transposed).
    invert : bool
        Darkness instead of brightness (see :func:`load_cbcl_faces`).
    download : bool

    Returns
    -------
    Faces
        ``V`` of shape (4096, 400); ``images`` (400, 4096) uint8, 0..242;
        ``target`` (400,) uint8, the subject 0..39.
    """
    folder = _locate(OLIVETTI, download)
    with np.load(folder / "olivetti_faces.npz", allow_pickle=False) as d:
        images, target = d["faces"], d["target"]
    return Faces(V=normalize_faces(images, normalize, invert), images=images, image_shape=(64, 64),
                 normalize=normalize, invert=invert, target=target)


# ---------------------------------------------------------------------------
# Text: BBC news and Grolier
# ---------------------------------------------------------------------------

TOKEN_PATTERN = r"\b[a-zA-Z][a-zA-Z]+\b"


@dataclass
class Corpus:
    """Word counts of a set of documents.

    Attributes
    ----------
    V : scipy.sparse.csr_matrix, shape (words, documents), float64
        ``V[i, j]`` counts word i in document j: the orientation of Lee &
        Seung (1999), ready for :func:`nmf_teach.nmf`.
    counts : scipy.sparse.csr_matrix, shape (documents, words), int32
        The same counts as stored (one row per document).
    vocab : list of str
        The word of each row of ``V``.
    doc_ids : list of str or None
    categories : numpy.ndarray of str or None
        A label per document (BBC: business, entertainment, politics, sport, tech).
    """

    V: sp.csr_matrix
    counts: sp.csr_matrix
    vocab: list
    doc_ids: object = None
    categories: object = None


def english_stop_words():
    """scikit-learn's built-in English stop-word list (318 words), as a frozenset."""
    try:
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
    except ImportError as error:
        raise ImportError("counting words (count_words, and load_news when it builds the BBC counts from the "
                          "raw texts) needs scikit-learn's English stop words, an optional dependency: "
                          "pip install 'nmf_teach[news]' (or scikit-learn)") from error
    return frozenset(ENGLISH_STOP_WORDS)


def decode_text(data):
    """Bytes to text: UTF-8, or Latin-1 where the bytes are not valid UTF-8 (one BBC file is not)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def count_words(texts, *, min_df=5, max_df=0.5, stop_words=None):
    r"""Word counts of ``texts``, tokenized as the book's BBC counts were.

    Lower-case; tokens are runs of two or more ASCII letters
    (``\b[a-zA-Z][a-zA-Z]+\b``, so "it's" gives "it"); stop words removed
    (default: scikit-learn's English list); a word is kept if it occurs in at
    least ``min_df`` documents and in at most ``max_df`` times the number of
    documents. No stemming. The same rule as scikit-learn's
    ``CountVectorizer(token_pattern=..., stop_words="english", min_df=5, max_df=0.5)``.

    Parameters
    ----------
    texts : list of str
    min_df : int
    max_df : float
        A fraction of the number of documents.
    stop_words : set of str or None

    Returns
    -------
    counts : scipy.sparse.csr_matrix, shape (documents, words), int32
    vocab : list of str
        Sorted.
    """
    stop = english_stop_words() if stop_words is None else frozenset(stop_words)
    token = re.compile(TOKEN_PATTERN)
    docs = []
    for text in texts:
        bag = {}
        for word in token.findall(text.lower()):
            if word not in stop:
                bag[word] = bag.get(word, 0) + 1
        docs.append(bag)
    df = {}
    for bag in docs:
        for word in bag:
            df[word] = df.get(word, 0) + 1
    high = max_df * len(docs)
    vocab = sorted(w for w, d in df.items() if min_df <= d <= high)
    column = {w: j for j, w in enumerate(vocab)}
    indptr, indices, data = [0], [], []
    for bag in docs:
        kept = sorted((column[w], c) for w, c in bag.items() if w in column)
        indices.extend(j for j, _ in kept)
        data.extend(c for _, c in kept)
        indptr.append(len(indices))
    counts = sp.csr_matrix(
        (np.array(data, dtype=np.int32), np.array(indices, dtype=np.int32), np.array(indptr, dtype=np.int32)),
        shape=(len(docs), len(vocab)),
    )
    return counts, vocab


def _read_bbc_texts(path):
    """(doc_id, category, text) of every ``category/NNN.txt`` of the BBC archive, sorted."""
    pattern = re.compile(r"(?:^|/)([A-Za-z]+)/(\d+)\.txt$")
    found = {}
    for name, content in _archive_members(Path(path).read_bytes()):
        match = pattern.search(name.replace("\\", "/"))
        if match and not name.rsplit("/", 1)[-1].startswith("._"):
            category, number = match.group(1), match.group(2)
            found[(category, int(number))] = (f"{category}/{number}", category, decode_text(content))
    if not found:
        raise ValueError(f"{Path(path).name} holds no file named category/NNN.txt")
    return [found[key] for key in sorted(found)]


def _convert_bbc(path, min_df=5, max_df=0.5):
    rows = _read_bbc_texts(path)
    counts, vocab = count_words([text for _, _, text in rows], min_df=min_df, max_df=max_df)
    return {"counts": counts, "vocab": vocab, "doc_ids": [d for d, _, _ in rows],
            "categories": [c for _, c, _ in rows]}


def _digest_counts(p):
    counts = sp.csr_matrix(p["counts"])
    counts.sort_indices()
    return _digest_arrays(counts.indptr.astype(np.int64), counts.indices.astype(np.int64),
                          counts.data.astype(np.int32), np.array(counts.shape, dtype=np.int64),
                          list(p["vocab"]), list(p["doc_ids"]), list(p["categories"]))


def _write_bbc(payload, folder):
    _atomic_write(folder / "bbc_news_vocab.txt",
                  lambda f: f.write("".join(w + "\n" for w in payload["vocab"]).encode("utf-8")))
    table = "row\tdoc_id\tcategory\n" + "".join(
        f"{i}\t{d}\t{c}\n" for i, (d, c) in enumerate(zip(payload["doc_ids"], payload["categories"], strict=True)))
    _atomic_write(folder / "bbc_news_docs.tsv", lambda f: f.write(table.encode("utf-8")))
    # The counts last: the three files count as present only when this one is.
    _atomic_write(folder / "bbc_news_counts.npz", lambda f: sp.save_npz(f, payload["counts"].tocsr()))


BBC = _Spec(
    title="BBC news counts",
    files=("bbc_news_counts.npz", "bbc_news_vocab.txt", "bbc_news_docs.tsv"),
    sources=(
        # The data set's home (Greene & Cunningham 2006; page http://mlg.ucd.ie/datasets/bbc.html, the
        # file address inferred from it). No checksum of this archive is known: only the counts made
        # from it are checked (content_sha256 below).
        Source("http://mlg.ucd.ie/files/datasets/bbc-fulltext.zip", "bbc-fulltext.zip", None),
        # The copy of the same raw texts that shared/data's counts were made from.
        Source("https://raw.githubusercontent.com/adaptivez/data/9da6e54be1c381bb67728fdfd093f9069b936eca/bbc.zip",
               "bbc.zip", "ad3f8f451a052beb044cc3c0e9a01fa8b4c0424eeab347ad7be83de1c8401f93"),
    ),
    convert=_convert_bbc,
    write=_write_bbc,
    digest=_digest_counts,
    content_sha256="82fe57899fc52475491199bcf6142eed0ac830901a13cdcb3dd428df446a6fc1",
)


def load_news(*, download=True):
    """The BBC news word counts: 2225 articles (2004–2005), 8829 words, 5 categories.

    The book's stand-in for Lee & Seung's Grolier encyclopedia. Counts made
    by :func:`count_words` from the raw texts of Greene & Cunningham (2006).
    Reading the prepared counts needs only the core; building them from the
    raw texts needs scikit-learn's stop words (``pip install 'nmf_teach[news]'``),
    checked before anything is downloaded.

    Raises
    ------
    ImportError
        If the counts must be built and scikit-learn is not installed.
    DataUnavailableError
        If the data is nowhere and cannot be downloaded.

    Returns
    -------
    Corpus
        ``V`` (8829, 2225) float64 CSR, words × documents; ``counts``
        (2225, 8829) int32 CSR, nonzeros 1..71; ``vocab`` (8829 words,
        sorted); ``doc_ids`` such as ``"business/001"``; ``categories``
        (2225,) among business, entertainment, politics, sport, tech.
    """
    folder = _locate(BBC, download, before_download=english_stop_words)  # no download that cannot be counted
    counts = sp.load_npz(folder / "bbc_news_counts.npz").tocsr()
    vocab = (folder / "bbc_news_vocab.txt").read_text(encoding="utf-8").split("\n")[:-1]
    lines = (folder / "bbc_news_docs.tsv").read_text(encoding="utf-8").split("\n")[1:]
    table = [line.split("\t") for line in lines if line]
    if len(vocab) != counts.shape[1] or len(table) != counts.shape[0]:
        raise ValueError(f"the BBC files in {folder} disagree: {counts.shape} counts, {len(vocab)} words, "
                         f"{len(table)} documents")
    return Corpus(V=counts.T.tocsr().astype(np.float64), counts=counts, vocab=vocab,
                  doc_ids=[row[1] for row in table], categories=np.array([row[2] for row in table]))


GROLIER_SHAPE = (15276, 30991)


def _convert_grolier(path, shape=GROLIER_SHAPE):
    """Roweis's ``grolier15276.mat``: sparse ``grolier`` (words × articles) and cell array ``words``."""
    from scipy.io import loadmat

    mat = loadmat(path)
    if "grolier" not in mat or "words" not in mat:
        raise ValueError(f"{Path(path).name} lacks the variables 'grolier' and 'words' "
                         f"(it has {sorted(k for k in mat if not k.startswith('__'))})")
    V = sp.csr_matrix(mat["grolier"])
    words = [str(np.asarray(w).ravel()[0]) if np.asarray(w).size else "" for w in mat["words"].ravel()]
    if V.shape[0] != len(words) and V.shape[1] == len(words):
        V = V.T.tocsr()
    if shape is not None and V.shape != tuple(shape):
        raise ValueError(f"'grolier' in {Path(path).name} has shape {V.shape}, expected {tuple(shape)}")
    if len(words) != V.shape[0]:
        raise ValueError(f"{len(words)} words for {V.shape[0]} rows of 'grolier'")
    if V.nnz and (V.data.min() < 0 or not np.all(V.data == np.round(V.data))):
        raise ValueError("'grolier' does not hold word counts (non-negative whole numbers)")
    counts = V.T.tocsr().astype(np.int32)
    counts.sort_indices()
    return {"counts": counts, "vocab": words}


def _write_grolier(payload, folder):
    _atomic_write(folder / "grolier15276_words.txt",
                  lambda f: f.write("".join(w + "\n" for w in payload["vocab"]).encode("utf-8")))
    _atomic_write(folder / "grolier15276_counts.npz", lambda f: sp.save_npz(f, payload["counts"]))


GROLIER = _Spec(
    title="Grolier encyclopedia counts",
    files=("grolier15276_counts.npz", "grolier15276_words.txt"),
    sources=(
        # Sam Roweis's data page (https://cs.nyu.edu/~roweis/data.html). The file address is inferred
        # from that page and from code that reads it; no checksum of the file is known, so only its
        # shape, its word list and that it holds counts are checked.
        Source("https://cs.nyu.edu/~roweis/data/grolier15276.mat", "grolier15276.mat", None),
    ),
    convert=_convert_grolier,
    write=_write_grolier,
    digest=lambda p: _digest_arrays(p["counts"].data, list(p["vocab"])),
    content_sha256=None,  # unknown: no copy of Grolier was available to compute it
)


def load_grolier(*, download=True):
    """The Grolier encyclopedia counts of Lee & Seung (1999): 15276 words × 30991 articles.

    From Sam Roweis's ``grolier15276.mat``. No copy of it is in the book's
    data folder; with ``download=False`` this raises
    :class:`DataUnavailableError` unless you have put ``grolier15276.mat``
    (or the converted ``grolier15276_counts.npz`` and
    ``grolier15276_words.txt``) in a data folder.

    Returns
    -------
    Corpus
        ``V`` (15276, 30991) float64 CSR, words × articles; ``counts`` its
        int32 transpose; ``vocab`` the 15276 words. No labels.
    """
    folder = _locate(GROLIER, download)
    counts = sp.load_npz(folder / "grolier15276_counts.npz").tocsr()
    vocab = (folder / "grolier15276_words.txt").read_text(encoding="utf-8").split("\n")[:-1]
    if len(vocab) != counts.shape[1]:
        raise ValueError(f"the Grolier files in {folder} disagree: {counts.shape} counts, {len(vocab)} words")
    return Corpus(V=counts.T.tocsr().astype(np.float64), counts=counts, vocab=vocab)


def make_sparse_counts(shape=GROLIER_SHAPE, *, words_per_document=274533 / 2225, mean_count=1 / 0.7, seed=0):
    """A random sparse word-count matrix (words × documents), for measuring speed at a given size.

    Nonzeros sit at uniformly random positions, about ``words_per_document``
    per column; each is a count drawn from a geometric distribution on 1, 2, ...
    with mean ``mean_count``. The defaults copy the BBC news counts (123.4
    distinct counted words per article, mean nonzero count 1.42), so with
    ``shape=GROLIER_SHAPE`` this is a plausible stand-in for the Grolier
    matrix's size and sparsity, not for its content: it has no topics.

    Returns
    -------
    scipy.sparse.csr_matrix, float64
    """
    m, n = shape
    if not 0 < words_per_document <= m:
        raise ValueError(f"words_per_document must be in (0, {m}], got {words_per_document}")
    if mean_count < 1:
        raise ValueError(f"mean_count must be >= 1 (counts are 1, 2, ...), got {mean_count}")
    rng = np.random.default_rng(seed)
    # The generator is passed by position: SciPy < 1.15 names that argument random_state, later ones rng
    # (same numbers as sp.random_array(..., rng=rng), which SciPy 1.10 lacks).
    V = sp.random(m, n, words_per_document / m, "csr", None, rng,
                  lambda size: rng.geometric(1 / mean_count, size=size).astype(np.float64))
    return sp.csr_matrix(V)
