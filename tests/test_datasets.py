"""The data loaders: conversion paths on small archives built here, checksums, the real files.

No test touches the network: downloads (through pooch) are served by a local
``http.server`` on 127.0.0.1, from archives the tests write themselves; the
server stops at the end of each test.
The BBC tokenizer cannot be checked against the prepared counts here (the raw
article texts are not in the data folder), so it is checked against
scikit-learn's ``CountVectorizer`` on text written below.
"""

import dataclasses
import functools
import hashlib
import http.server
import io
import os
import tarfile
import threading
import zipfile
from pathlib import Path

import numpy as np
import pooch
import pytest
import scipy.io
import scipy.sparse as sp

from nmf_teach import datasets as ds

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("NMF_TEACH_DATA") or ROOT.parent / "shared" / "data")


# --------------------------------------------------------------------------- helpers


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty per-user cache and no NMF_TEACH_DATA: every loader must convert or download."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv(ds.DATA_ENV, raising=False)
    return tmp_path / "xdg" / "nmf_teach"


def pgm(pixels, comment=False):
    height, width = pixels.shape
    header = b"P5\n" + (b"# written by a test\n" if comment else b"") + f"{width} {height}\n255\n".encode()
    return header + pixels.astype(np.uint8).tobytes()


def tar_gz(files):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def zip_bytes(files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def sha(data):
    return hashlib.sha256(data).hexdigest()


class Quiet(http.server.SimpleHTTPRequestHandler):
    timeout = 10  # seconds: a stalled connection ends by itself

    def log_message(self, *args):
        pass


@pytest.fixture
def www(tmp_path):
    """A static http server on 127.0.0.1 for the folder ``tmp_path/www``, stopped when the test ends.

    Returns a function: ``put(name, data)`` writes the file and returns its URL.
    """
    folder = tmp_path / "www"
    folder.mkdir()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"

    def put(name, data):
        (folder / name).write_bytes(data)
        return f"{base}/{name}"

    put.base = base
    try:
        yield put
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def no_download(*args, **kwargs):
    raise AssertionError("a download was attempted although the data was at hand")


def leftovers(folder, keep):
    """Files in ``folder`` other than ``keep``: temporary files and downloads must not stay."""
    return sorted(p.name for p in folder.iterdir() if p.name not in keep) if folder.exists() else []


RNG = np.random.default_rng(0)
FACES = [RNG.integers(0, 256, size=(19, 19)).astype(np.uint8) for _ in range(3)]


def cbcl_archive():
    """A CBCL-like faces.tar.gz: a nested face.train.tar.gz with 3 faces, a non-face and a test set to skip."""
    inner = tar_gz({
        **{f"train/face/face{i + 1:05d}.pgm": pgm(f, comment=(i == 1)) for i, f in enumerate(FACES)},
        "train/non-face/face00001.pgm": pgm(np.zeros((19, 19))),
    })
    test = tar_gz({"test/face/face00001.pgm": pgm(np.full((19, 19), 7))})
    return tar_gz({"face.train.tar.gz": inner, "face.test.tar.gz": test, "README": b"not a face"})


def with_sources(monkeypatch, name, *sources, **changes):
    spec = dataclasses.replace(getattr(ds, name), sources=tuple(sources), **changes)
    monkeypatch.setattr(ds, name, spec)
    return spec


# --------------------------------------------------------------------------- PGM


def test_read_pgm_reads_the_pixels_and_skips_comments():
    image = np.arange(19 * 19, dtype=np.uint8).reshape(19, 19)
    assert np.array_equal(ds.read_pgm(pgm(image)), image)
    assert np.array_equal(ds.read_pgm(pgm(image, comment=True)), image)


def test_read_pgm_refuses_ascii_and_truncated_files():
    with pytest.raises(ValueError, match="P5"):
        ds.read_pgm(b"P2\n2 2\n255\n0 1 2 3\n")
    with pytest.raises(ValueError, match="holds only"):
        ds.read_pgm(b"P5\n19 19\n255\n" + b"\0" * 10)


# --------------------------------------------------------------------------- CBCL


def test_cbcl_downloads_converts_checks_and_caches(cache, www, monkeypatch):
    archive = cbcl_archive()
    expected = ds._digest_arrays(np.stack([f.ravel() for f in FACES]),
                                 np.array([f"face{i:05d}.pgm" for i in (1, 2, 3)]))
    with_sources(monkeypatch, "CBCL", ds.Source(www("faces.tar.gz", archive), "faces.tar.gz", sha(archive)),
                 content_sha256=expected)
    faces = ds.load_cbcl_faces(normalize=None)
    assert faces.images.shape == (3, 361) and faces.images.dtype == np.uint8
    for i, face in enumerate(FACES):  # upright, row-major, non-faces and test faces skipped
        assert np.array_equal(faces.images[i].reshape(19, 19), face)
        assert np.array_equal(faces.V[:, i].reshape(19, 19), face.astype(float))
    assert list(faces.filenames) == ["face00001.pgm", "face00002.pgm", "face00003.pgm"]
    assert leftovers(cache, keep={"cbcl_faces.npz"}) == []  # the raw download is not kept
    monkeypatch.setattr(pooch, "retrieve", no_download)  # the second call reads the cache
    again = ds.load_cbcl_faces(normalize="unit")
    assert np.array_equal(again.images, faces.images) and again.V.max() == pytest.approx(1.0)
    with np.load(cache / "cbcl_faces.npz", allow_pickle=False) as cached:  # no pickle needed
        assert set(cached.files) == {"faces", "filenames"}


def test_cbcl_from_a_zip_of_pgms_after_a_missing_mirror(cache, www, monkeypatch):
    archive = zip_bytes({f"cbcl_faces/face{i + 1:05d}.pgm": pgm(f) for i, f in enumerate(FACES)}
                        | {"__MACOSX/cbcl_faces/._face00001.pgm": b"resource fork"})
    with_sources(monkeypatch, "CBCL",
                 ds.Source(f"{www.base}/gone/faces.tar.gz", "faces.tar.gz", None),  # HTTP 404: the next source
                 ds.Source(www("cbcl_faces.zip", archive), "cbcl_faces.zip", sha(archive)),
                 content_sha256=None)
    faces = ds.load_cbcl_faces()
    assert faces.V.shape == (361, 3) and leftovers(cache, keep={"cbcl_faces.npz"}) == []
    assert np.allclose(faces.V, ds.lee_seung_normalize(np.stack([f.ravel() for f in FACES]).T))


def test_a_corrupted_download_is_refused_and_not_cached(cache, www, monkeypatch):
    archive = cbcl_archive()
    url = www("faces.tar.gz", archive[:-40] + b"\0" * 40)  # damaged in transit
    with_sources(monkeypatch, "CBCL", ds.Source(url, "faces.tar.gz", sha(archive)), content_sha256=None)
    with pytest.raises(ds.DataUnavailableError) as error:
        ds.load_cbcl_faces()
    message = str(error.value)
    assert "refused" in message and sha(archive) in message  # pooch's report of the sha256 that differs
    assert url in message and str(cache) in message and "faces.tar.gz" in message
    assert leftovers(cache, keep=set()) == []  # neither the download nor a temporary file stays


def test_a_download_shows_a_progress_bar_when_tqdm_is_installed(cache, www, monkeypatch, capsys):
    pytest.importorskip("tqdm")  # the `progress` extra
    archive = cbcl_archive()
    with_sources(monkeypatch, "CBCL", ds.Source(www("faces.tar.gz", archive), "faces.tar.gz", sha(archive)),
                 content_sha256=None)
    ds.load_cbcl_faces()
    err = capsys.readouterr().err
    assert "100%" in err and f"{len(archive) / 1000:.2f}k/{len(archive) / 1000:.2f}k" in err, err


def test_converted_arrays_that_differ_from_the_books_copy_are_refused(cache, www, monkeypatch):
    with_sources(monkeypatch, "CBCL", ds.Source(www("faces.tar.gz", cbcl_archive()), "faces.tar.gz", None),
                 content_sha256="0" * 64)  # no file checksum known: the content check must catch it
    with pytest.raises(ds.DataUnavailableError, match="differ from the book's copy"):
        ds.load_cbcl_faces()
    assert leftovers(cache, keep=set()) == []


def test_an_original_put_in_the_cache_by_hand_is_used_without_download(cache, monkeypatch):
    cache.mkdir(parents=True)
    (cache / "faces.tar.gz").write_bytes(cbcl_archive())
    with_sources(monkeypatch, "CBCL", ds.Source("http://127.0.0.1:9/faces.tar.gz", "faces.tar.gz", None),
                 content_sha256=None)
    monkeypatch.setattr(pooch, "retrieve", no_download)
    assert ds.load_cbcl_faces().V.shape == (361, 3)
    assert (cache / "cbcl_faces.npz").is_file() and (cache / "faces.tar.gz").is_file()  # the user's file stays


def test_a_damaged_original_at_hand_is_refused(cache, monkeypatch):
    cache.mkdir(parents=True)
    (cache / "faces.tar.gz").write_bytes(b"not the archive")
    with_sources(monkeypatch, "CBCL", ds.Source("http://127.0.0.1:9/faces.tar.gz", "faces.tar.gz", "a" * 64))
    with pytest.raises(ds.DataUnavailableError, match="damaged"):
        ds.load_cbcl_faces()


def test_missing_data_raises_an_error_that_says_what_to_do(cache, monkeypatch):
    url = "http://127.0.0.1:9/faces.tar.gz"  # port 9 (discard): the connection is refused at once
    with_sources(monkeypatch, "CBCL", ds.Source(url, "faces.tar.gz", None))
    with pytest.raises(ds.DataUnavailableError) as error:
        ds.load_cbcl_faces()
    message = str(error.value)
    for needed in ("faces.tar.gz", url, str(cache), "cbcl_faces.npz", ds.DATA_ENV, "failed"):
        assert needed in message
    with pytest.raises(ds.DataUnavailableError, match="download=False"):
        ds.load_cbcl_faces(download=False)


def test_lee_seung_normalization():
    V = np.random.default_rng(1).normal(100, 30, size=(361, 20)).clip(0, 255)
    Z = ds.lee_seung_normalize(V)
    unclipped = (V - V.mean(0)) / V.std(0) * 0.25 + 0.25
    assert np.allclose(unclipped.mean(0), 0.25) and np.allclose(unclipped.std(0), 0.25)
    assert np.array_equal(Z, unclipped.clip(0, 1)) and Z.min() >= 0 and Z.max() <= 1
    assert np.all(ds.lee_seung_normalize(np.full((4, 1), 9.0)) == 0.25)  # constant image: no division by 0
    images = np.array([[0, 55, 255]], dtype=np.uint8)
    assert ds.normalize_faces(images, None, invert=True).ravel().tolist() == [255, 200, 0]
    with pytest.raises(ValueError, match="normalize"):
        ds.normalize_faces(np.zeros((2, 4), dtype=np.uint8), "zscore")


# --------------------------------------------------------------------------- Olivetti


def test_olivetti_from_a_tiny_mat_over_http(cache, tmp_path, www, monkeypatch):
    upright = [RNG.integers(0, 243, size=(64, 64)).astype(np.uint8) for _ in range(3)]
    # MATLAB stores each image column-major: the column is the image read down its columns
    faces = np.stack([image.ravel(order="F") for image in upright], axis=1)
    scipy.io.savemat(tmp_path / "olivettifaces.mat", {"faces": faces})
    data = (tmp_path / "olivettifaces.mat").read_bytes()
    with_sources(monkeypatch, "OLIVETTI", ds.Source(www("olivettifaces.mat", data), "olivettifaces.mat", sha(data)),
                 content_sha256=None)
    olivetti = ds.load_olivetti_faces(normalize="unit")
    assert olivetti.images.shape == (3, 4096) and olivetti.images.dtype == np.uint8
    for i, image in enumerate(upright):
        assert np.array_equal(olivetti.images[i].reshape(64, 64), image)
    assert olivetti.V.max() == 1.0 and list(olivetti.target) == [0, 0, 0]
    assert (cache / "olivetti_faces.npz").is_file()


# --------------------------------------------------------------------------- BBC


def test_count_words_matches_scikit_learns_count_vectorizer():
    sklearn_text = pytest.importorskip("sklearn.feature_extraction.text")
    rng = np.random.default_rng(2)
    words = ("Lead leads metal copper glass steel The and it's OK a I x2 GDP gdp café naïve "
             "e-mail U.S. bank's rate rates film award music 2005 x y zz Ü über").split()
    texts = [" ".join(rng.choice(words, size=rng.integers(5, 40))) + "\nEnd." for _ in range(60)]
    counts, vocab = ds.count_words(texts)  # the defaults: min_df=5, max_df=0.5
    vectorizer = sklearn_text.CountVectorizer(token_pattern=ds.TOKEN_PATTERN, stop_words="english",
                                              min_df=5, max_df=0.5)
    expected = vectorizer.fit_transform(texts)
    assert vocab == list(vectorizer.get_feature_names_out())
    assert counts.dtype == np.int32 and (counts != expected).nnz == 0
    assert "it" not in vocab and "the" not in vocab  # stop words
    assert "lead" in vocab and "leads" in vocab  # no stemming
    assert "caf" not in vocab and "ber" not in vocab  # no broken tokens from non-ASCII words


def test_count_words_rules_on_a_handmade_example():
    pytest.importorskip("sklearn")  # the default stop words (the `news` extra)
    texts = ["Lead, LEAD and lead-pipes: it's metal.", "He leads; we lead.", "Copper x 42"]
    counts, vocab = ds.count_words(texts, min_df=1, max_df=1.0)
    assert vocab == ["copper", "lead", "leads", "metal", "pipes"]  # 'it', 'he', 'we', 'and' are stop words
    assert counts.toarray().tolist() == [[0, 3, 0, 1, 1], [0, 1, 1, 0, 0], [1, 0, 0, 0, 0]]
    _, vocab2 = ds.count_words(texts, min_df=2, max_df=1.0)
    assert vocab2 == ["lead"]
    _, vocab3 = ds.count_words(texts, min_df=1, max_df=0.5)  # 'lead' is in 2 of 3 documents: too common
    assert "lead" not in vocab3


def test_decode_text_falls_back_to_latin1():
    assert ds.decode_text("naïve".encode("utf-8")) == "naïve"
    assert ds.decode_text("naïve £5".encode("latin-1")) == "naïve £5"


def test_bbc_from_a_zip_of_three_texts(cache, www, monkeypatch):
    pytest.importorskip("sklearn")  # the stop words (the `news` extra)
    archive = zip_bytes({
        "bbc/README.TXT": b"All rights ... owned by the BBC",
        "bbc/sport/001.txt": b"Lead striker scores.\n\nThe lead grows.",
        "bbc/business/002.txt": "Copper price: the café's £ lead.".encode("latin-1"),  # not UTF-8
        "bbc/business/001.txt": b"Steel and copper prices rise.",
    })
    with_sources(monkeypatch, "BBC", ds.Source(www("bbc-fulltext.zip", archive), "bbc-fulltext.zip", sha(archive)),
                 convert=functools.partial(ds._convert_bbc, min_df=1, max_df=1.0), content_sha256=None)
    news = ds.load_news()
    assert news.doc_ids == ["business/001", "business/002", "sport/001"]  # by category, then number
    assert list(news.categories) == ["business", "business", "sport"]
    assert news.vocab == ["copper", "grows", "lead", "price", "prices", "rise", "scores", "steel", "striker"]
    assert news.counts.dtype == np.int32 and news.counts.shape == (3, 9)  # "café's" gives no token
    assert news.V.shape == (9, 3) and news.V.dtype == np.float64
    lead = news.vocab.index("lead")
    assert news.V[lead].toarray().ravel().tolist() == [0, 1, 2]
    for name in ds.BBC.files:
        assert (cache / name).is_file()
    assert (cache / "bbc_news_docs.tsv").read_text().splitlines()[:2] == ["row\tdoc_id\tcategory",
                                                                          "0\tbusiness/001\tbusiness"]


# --------------------------------------------------------------------------- Grolier


@pytest.mark.parametrize("transposed", [False, True])
def test_grolier_from_a_tiny_mat(cache, tmp_path, www, monkeypatch, transposed):
    V = sp.random(5, 4, density=0.5, random_state=3, format="csc")
    V.data = np.ceil(V.data * 9)
    words = np.array(["lead", "metal", "law", "copper", "rules"], dtype=object)
    scipy.io.savemat(tmp_path / "grolier15276.mat", {"grolier": V.T.tocsc() if transposed else V, "words": words})
    data = (tmp_path / "grolier15276.mat").read_bytes()
    with_sources(monkeypatch, "GROLIER", ds.Source(www("grolier15276.mat", data), "grolier15276.mat", sha(data)),
                 convert=functools.partial(ds._convert_grolier, shape=(5, 4)))
    grolier = ds.load_grolier()
    assert grolier.vocab == list(words)
    assert np.array_equal(grolier.V.toarray(), V.toarray()) and grolier.counts.dtype == np.int32
    assert (cache / "grolier15276_counts.npz").is_file()


def test_grolier_of_the_wrong_shape_is_refused(cache, tmp_path, www, monkeypatch):
    scipy.io.savemat(tmp_path / "grolier15276.mat",
                     {"grolier": sp.csc_matrix(np.ones((2, 3))), "words": np.array(["a", "b"], dtype=object)})
    url = www("grolier15276.mat", (tmp_path / "grolier15276.mat").read_bytes())
    with_sources(monkeypatch, "GROLIER", ds.Source(url, "grolier15276.mat"))
    with pytest.raises(ds.DataUnavailableError, match="expected"):
        ds.load_grolier()
    assert not (cache / "grolier15276_counts.npz").exists()


# --------------------------------------------------------------------------- the real files

real = pytest.mark.skipif(not (SHARED_DATA / "cbcl_faces.npz").is_file(),
                          reason=f"the prepared data is not in {SHARED_DATA}")


@pytest.fixture
def shared(monkeypatch, tmp_path):
    monkeypatch.setenv(ds.DATA_ENV, str(SHARED_DATA))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr(pooch, "retrieve", no_download)


@real
def test_real_cbcl_faces(shared):
    raw = ds.load_cbcl_faces(normalize=None)
    assert raw.images.shape == (2429, 361) and raw.images.dtype == np.uint8
    assert raw.images.min() == 0 and raw.images.max() == 255 and raw.images.mean() == pytest.approx(127.1, abs=0.05)
    assert raw.filenames[0] == "face00001.pgm" and raw.filenames[-1] == "face02429.pgm"
    faces = ds.load_cbcl_faces()
    assert faces.V.shape == (361, 2429) and faces.V.dtype == np.float64
    assert faces.V.min() == 0 and faces.V.max() == 1
    dark = ds.load_cbcl_faces(normalize="unit", invert=True)
    assert np.array_equal(dark.V, (255 - raw.images.T) / 255) and dark.invert
    assert ds._digest_arrays(raw.images, raw.filenames) == ds.CBCL.content_sha256


@real
def test_real_olivetti_faces(shared):
    olivetti = ds.load_olivetti_faces(normalize="unit")
    assert olivetti.images.shape == (400, 4096) and olivetti.images.dtype == np.uint8
    assert olivetti.images.min() == 0 and olivetti.images.max() == 242
    assert np.array_equal(olivetti.target, np.arange(400) // 10) and olivetti.target.dtype == np.uint8
    assert olivetti.V.shape == (4096, 400) and olivetti.V.max() == 1.0
    assert ds._digest_arrays(olivetti.images, olivetti.target) == ds.OLIVETTI.content_sha256


@real
def test_real_news(shared):
    news = ds.load_news()
    assert news.counts.shape == (2225, 8829) and news.counts.dtype == np.int32
    assert news.counts.nnz == 274533 and news.counts.sum() == 389977
    assert news.counts.data.min() == 1 and news.counts.data.max() == 71
    assert news.V.shape == (8829, 2225) and news.V.dtype == np.float64 and news.V.format == "csr"
    assert np.array_equal(news.V.toarray(), news.counts.T.toarray())
    assert len(news.vocab) == 8829 and news.vocab == sorted(news.vocab)
    names, sizes = np.unique(news.categories, return_counts=True)
    assert dict(zip(names.tolist(), sizes.tolist(), strict=True)) == {
        "business": 510, "entertainment": 386, "politics": 417, "sport": 511, "tech": 401}
    assert news.doc_ids[0] == "business/001" and news.doc_ids[-1] == "tech/401"
    assert np.asarray(news.counts.sum(axis=1)).min() >= 40
    payload = {"counts": news.counts, "vocab": news.vocab, "doc_ids": news.doc_ids, "categories": news.categories}
    assert ds._digest_counts(payload) == ds.BBC.content_sha256


@real
def test_real_grolier_is_absent_and_says_so(shared):
    with pytest.raises(ds.DataUnavailableError, match="grolier15276.mat"):
        ds.load_grolier(download=False)


def test_make_sparse_counts_has_the_requested_size_and_sparsity():
    V = ds.make_sparse_counts((2000, 3000), words_per_document=40, mean_count=1.5, seed=1)
    assert V.shape == (2000, 3000) and V.format == "csr" and V.dtype == np.float64
    assert V.nnz == pytest.approx(40 * 3000, rel=0.01)
    assert V.data.min() >= 1 and np.all(V.data == np.round(V.data)) and V.data.mean() == pytest.approx(1.5, rel=0.02)
    assert (V != ds.make_sparse_counts((2000, 3000), words_per_document=40, mean_count=1.5, seed=1)).nnz == 0
