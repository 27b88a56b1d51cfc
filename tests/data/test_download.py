"""MovieLens by name against a loopback mirror (tests/movielens_server.py): a good zip installs; a truncated
download, a truncated zip, a checksum mismatch, a CRC error or an unexpected layout is one line and leaves no
folder that is read as a dataset; offline says what could not be reached and where to put the folder; a
``kill -9`` during the download leaves nothing that is later read as a dataset.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from recall_core.data import fetch
from recall_core.data.dataset import list_datasets, read_dataset
from recall_core.errors import DataError, UsageError
from tests.movielens_server import MirrorServer, planted_movielens, zip_folder

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def server():
    s = MirrorServer()
    yield s
    s.close()


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    """``{layout: folder}``: the planted data as ml-1m, ml-10m (no users.dat) and ml-latest folders."""
    root = tmp_path_factory.mktemp("planted")
    return {layout: planted_movielens(root / layout, layout) for layout in ("ml-1m", "ml-10m", "ml-latest")}


@pytest.fixture()
def mirror(server, monkeypatch, tmp_path):
    """The server as $RECALL_MOVIELENS_URL, a fresh data cache as $RECALL_DATA_DIR; cleared files."""
    server.files.clear(), server.announce.clear(), server.delay.clear(), server.hits.clear()
    cache = tmp_path / "cache"
    monkeypatch.setenv("RECALL_MOVIELENS_URL", server.base)
    monkeypatch.setenv("RECALL_DATA_DIR", str(cache))
    return server, cache


def visible(cache: Path) -> list[str]:
    """What a reader could take for a dataset: the cache's non-hidden entries (besides the parsed cache)."""
    return sorted(p.name for p in cache.iterdir() if not p.name.startswith(".") and p.name != "parsed") \
        if cache.exists() else []


def leftovers(cache: Path) -> list[str]:
    return sorted(p.name for p in cache.iterdir() if p.name.startswith(".")) if cache.exists() else []


def one_line(e) -> str:
    msg = str(e.value)
    assert "\n" not in msg and "Traceback" not in msg, msg
    return msg


# --------------------------------------------------------------------------- installs


@pytest.mark.parametrize("md5", ["gnu", "bsd", None])
def test_a_good_zip_installs_and_reads_as_the_same_data(mirror, planted, md5):
    server, cache = mirror
    server.put("ml-1m.zip", zip_folder(planted["ml-1m"], "ml-1m"), md5=md5)
    seen = []
    folder = fetch.fetch_movielens("ml-1m", progress=lambda f, m: seen.append((f, m)))
    assert folder == cache / "ml-1m" and visible(cache) == ["ml-1m"] and leftovers(cache) == []
    source = json.loads((folder / ".source.json").read_text())
    assert source["checked_by"] == ("md5" if md5 else "size and zip CRCs")
    assert seen[0][0] == 0.0 and seen[-1] == (1.0, f"ml-1m: installed in {folder}")
    ds = read_dataset("ml-1m", parse_cache=False)
    ref = read_dataset(str(planted["ml-1m"]), parse_cache=False)
    assert (ds.name, ds.key, ds.layout) == ("ml-1m", "ml-1m", "ml-1m")
    assert ds.fingerprint == ref.fingerprint and ds.n_users == ref.n_users
    # Installed once: a second read downloads nothing.
    hits = dict(server.hits)
    assert fetch.fetch_movielens("ml-1m") == folder and server.hits == hits


def test_ml10m_zip_with_its_grouplens_folder_name(mirror, planted):
    """GroupLens's ml-10m.zip holds ml-10M100K/: accepted, installed as ml-10m, read with half stars."""
    server, cache = mirror
    server.put("ml-10m.zip", zip_folder(planted["ml-10m"], "ml-10M100K"))
    ds = read_dataset("ml-10m", parse_cache=False)
    assert ds.layout == "ml-10m" and visible(cache) == ["ml-10m"]
    assert ds.load_report["rating_scale"] == "0.5..5 in steps of 0.5"


def test_ml_latest_small_by_name(mirror, planted):
    server, cache = mirror
    server.put("ml-latest-small.zip", zip_folder(planted["ml-latest"], "ml-latest-small"))
    ds = read_dataset("ml-latest-small", parse_cache=False)
    assert ds.layout == "ml-latest" and ds.key == "ml-latest-small"


def test_ml100k_uses_the_mirror_before_its_offline_fallback(mirror, tmp_path):
    from recall_core.data.planted import planted_dataset, write_movielens

    server, cache = mirror
    folder = write_movielens(planted_dataset(n_clusters=2, items_per_cluster=5, users_per_cluster=4, history=3),
                             tmp_path / "ml-100k", "ml-100k")
    server.put("ml-100k.zip", zip_folder(folder, "ml-100k"))
    got = fetch.fetch_ml100k(log=lambda m: None)
    assert got == cache / "ml-100k" and (got / "u.data").read_bytes() == (folder / "u.data").read_bytes()
    assert server.hits["/movielens/ml-100k.zip"] == 1


def test_unknown_name_lists_the_names():
    with pytest.raises(UsageError, match="known: ml-100k, ml-1m, ml-10m, ml-20m, ml-25m, ml-32m, ml-latest-small, "
                                         "ml-latest"):
        fetch.fetch_movielens("ml-2m")


# --------------------------------------------------------------------------- failures: one line, nothing installed


def _zip_bytes(entries: dict[str, bytes], stored: bool = False) -> bytes:
    import io

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return buf.getvalue()


def _crc_broken(folder: Path) -> bytes:
    """A stored (uncompressed) zip with one byte of ratings.dat flipped: only its CRC can tell."""
    data = bytearray(zip_folder(folder, "ml-1m", stored=True))
    i = data.index(b"::", data.index(b"ratings.dat") + 40)  # inside ratings.dat's data
    data[i - 1] ^= 0x01
    return bytes(data)


FAILURES = {
    # id: (prepare(server, zip bytes, planted folder), text in the message)
    "truncated download": (lambda s, z, f: (s.put("ml-1m.zip", z[: len(z) // 2]),
                                            s.announce.__setitem__("/movielens/ml-1m.zip", len(z))),
                           "truncated download: "),
    "truncated zip (no checksum)": (lambda s, z, f: s.put("ml-1m.zip", z[: len(z) // 2], md5=None),
                                    "not a zip archive"),
    "checksum mismatch": (lambda s, z, f: s.put("ml-1m.zip", z, md5=f"{'0' * 32}  ml-1m.zip\n"),
                          "checksum mismatch: the download's md5 is"),
    "CRC error": (lambda s, z, f: s.put("ml-1m.zip", _crc_broken(f), md5=None), "fails its CRC check"),
    "files at the zip's root": (lambda s, z, f: s.put("ml-1m.zip", _zip_bytes(
        {p.name: p.read_bytes() for p in f.iterdir()})), "unexpected layout: expected one folder ml-1m/ in the zip"),
    "another folder": (lambda s, z, f: s.put("ml-1m.zip", zip_folder(f, "ml-20m")),
                       "unexpected layout: expected one folder ml-1m/ in the zip, found ml-20m"),
    "a file missing": (lambda s, z, f: s.put("ml-1m.zip", _zip_bytes(
        {f"ml-1m/{p.name}": p.read_bytes() for p in f.iterdir() if p.name != "movies.dat"})),
                       "unexpected layout: ml-1m: looks like ml-1m (ratings.dat found) but movies.dat is missing"),
    "a member outside its folder": (lambda s, z, f: s.put("ml-1m.zip", _zip_bytes(
        {"ml-1m/ratings.dat": b"1::1::5::1\n", "ml-1m/../evil.txt": b"x"})), "points outside its folder"),
    "not a checksum file": (lambda s, z, f: s.put("ml-1m.zip", z, md5="<html>mirror error page</html>"),
                            "not a checksum file for ml-1m.zip"),
    "404 for the zip": (lambda s, z, f: None, "(HTTP 404 Not Found); Download ml-1m.zip elsewhere"),
}


@pytest.mark.parametrize("case", list(FAILURES))
def test_bad_downloads_are_one_line_and_install_nothing(mirror, planted, case):
    server, cache = mirror
    prepare, text = FAILURES[case]
    prepare(server, zip_folder(planted["ml-1m"], "ml-1m"), planted["ml-1m"])
    with pytest.raises(DataError) as e:
        read_dataset("ml-1m", parse_cache=False)
    msg = one_line(e)
    assert text in msg, msg
    assert f"{server.base}/ml-1m.zip" in msg, msg
    assert visible(cache) == [] and leftovers(cache) == []  # no half-written folder, no temporary file


def test_offline_names_the_url_and_where_to_put_the_folder(monkeypatch, tmp_path):
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("RECALL_MOVIELENS_URL", f"http://127.0.0.1:{port}/movielens/")
    monkeypatch.setenv("RECALL_DATA_DIR", str(tmp_path / "cache"))
    with pytest.raises(DataError) as e:
        read_dataset("ml-25m")
    msg = one_line(e)
    assert msg.startswith(f"could not download http://127.0.0.1:{port}/movielens/ml-25m.zip (")
    assert "offline? Download ml-25m.zip elsewhere and unzip it so that " \
           f"{tmp_path / 'cache' / 'ml-25m'}{os.sep} holds its files" in msg
    assert visible(tmp_path / "cache") == []


def test_a_folder_put_there_by_hand_is_used_without_a_download(mirror, planted):
    import shutil

    server, cache = mirror
    cache.mkdir()
    shutil.copytree(planted["ml-1m"], cache / "ml-1m")
    assert read_dataset("ml-1m", parse_cache=False).n_items == 18 and server.hits == {}


@pytest.mark.parametrize("text,expected", [
    ("d41d8cd98f00b204e9800998ecf8427e  ml-1m.zip\n", "d41d8cd98f00b204e9800998ecf8427e"),
    ("D41D8CD98F00B204E9800998ECF8427E *ml-1m.zip", "d41d8cd98f00b204e9800998ecf8427e"),
    ("MD5 (ml-1m.zip) = d41d8cd98f00b204e9800998ecf8427e\n", "d41d8cd98f00b204e9800998ecf8427e"),
    ("0123456789abcdef0123456789abcdef  other.zip\nd41d8cd98f00b204e9800998ecf8427e  ml-1m.zip",
     "d41d8cd98f00b204e9800998ecf8427e"),
    ("d41d8cd98f00b204e9800998ecf8427e\n", "d41d8cd98f00b204e9800998ecf8427e"),
])
def test_md5_listing_formats(text, expected):
    assert fetch.parse_md5(text, "ml-1m.zip", "u") == expected


# --------------------------------------------------------------------------- kill -9


KILLED = """
import sys
from recall_core.data.fetch import fetch_movielens
fetch_movielens("ml-1m", sys.argv[1], progress=lambda f, m: print(f, m, flush=True))
"""


@pytest.mark.slow
def test_kill_9_during_the_download_leaves_nothing_read_as_a_dataset(mirror, planted):
    import shutil

    server, cache = mirror
    big = shutil.copytree(planted["ml-1m"], cache.parent / "ml-1m-big")
    (big / "README").write_bytes(os.urandom(300_000))  # incompressible: a 300 KB zip
    z = zip_folder(big, "ml-1m")
    server.put("ml-1m.zip", z)
    server.delay["/movielens/ml-1m.zip"] = 0.05  # 1 KiB every 50 ms: 15 s to kill it in
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", KILLED, str(cache)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    deadline = time.time() + 60
    part = None
    while time.time() < deadline:
        parts = list(cache.glob(".ml-1m.zip.*.part")) if cache.exists() else []
        if parts and parts[0].stat().st_size > 2048:
            part = parts[0]
            break
        time.sleep(0.02)
    assert part is not None, proc.communicate(timeout=5)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    assert 0 < part.stat().st_size < len(z)
    # Nothing a reader takes for a dataset: no ml-1m folder, nothing listed, the partial file hidden.
    assert visible(cache) == [] and leftovers(cache) == [part.name]
    assert [r for r in list_datasets(cache) if r["installed"] and r["name"] != "ml-100k"] == []
    # The next read downloads it whole (and removes the dead process's partial file).
    server.delay.clear()
    ds = read_dataset("ml-1m", parse_cache=False)
    assert ds.fingerprint == read_dataset(str(planted["ml-1m"]), parse_cache=False).fingerprint
    assert visible(cache) == ["ml-1m"] and leftovers(cache) == []


def test_leftovers_of_a_killed_unpack_are_never_read_and_are_removed(mirror, planted):
    """A process killed while unpacking leaves a hidden .ml-1m.unpack-<pid>-* folder (complete files, even):
    it is not listed, not read, and the next download removes it."""
    import shutil

    server, cache = mirror
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()
    cache.mkdir()
    shutil.copytree(planted["ml-1m"], cache / f".ml-1m.unpack-{dead}-abc123" / "ml-1m")
    (cache / f".ml-1m.zip.{dead}.part").write_bytes(b"PK\x03\x04partial")
    assert [r["name"] for r in list_datasets(cache) if r["kind"] == "cached"] == []
    server.put("ml-1m.zip", zip_folder(planted["ml-1m"], "ml-1m"))
    read_dataset("ml-1m", parse_cache=False)
    assert visible(cache) == ["ml-1m"] and leftovers(cache) == []


def test_leftovers_of_a_live_process_are_kept(tmp_path):
    (tmp_path / f".ml-1m.zip.{os.getppid()}.part").write_bytes(b"x")  # the test runner's parent: alive
    assert fetch.remove_leftovers(tmp_path, "ml-1m") == []
    assert (tmp_path / f".ml-1m.zip.{os.getppid()}.part").exists()


# --------------------------------------------------------------------------- the CLI


def test_cli_data_by_name_downloads_with_progress_and_offline_is_one_line(mirror, planted):
    server, cache = mirror
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    server.put("ml-1m.zip", zip_folder(planted["ml-1m"], "ml-1m"))
    p = subprocess.run([sys.executable, "-m", "recall_core", "data", "--dataset", "ml-1m"], env=env,
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert "dataset:      ml-1m (ml-1m layout)" in p.stdout and "ml-1m: downloading" in p.stderr
    assert "ml-1m: installed in" in p.stderr
    p = subprocess.run([sys.executable, "-m", "recall_core", "data", "--dataset", "ml-20m"], env=env,
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 2 and "Traceback" not in p.stderr
    err = [line for line in p.stderr.splitlines() if line.startswith("error:")]
    assert len(err) == 1 and "ml-20m.zip (HTTP 404 Not Found)" in err[0], p.stderr
    p = subprocess.run([sys.executable, "-m", "recall_core", "datasets"], env=env, capture_output=True, text=True,
                       timeout=120)
    assert p.returncode == 0 and f"ml-1m            downloaded: {cache / 'ml-1m'}" in p.stdout, p.stdout
    assert "ml-20m           not downloaded yet" in p.stdout


# --------------------------------------------------------------------------- the sidebar


def test_sidebar_lists_names_downloads_on_request_and_takes_generic_folders(mirror, planted, tmp_path, monkeypatch):
    """The sidebar lists every MovieLens name (and a folder already in the data cache); a name not downloaded
    yet waits for the Download button (an info box, not an error), which installs it with a progress bar; the
    folder box takes a generic folder."""
    import shutil

    pytest.importorskip("streamlit")
    from streamlit.testing.v1 import AppTest

    from recall_core.data.planted import write_planted_log

    server, cache = mirror
    cache.mkdir()
    shutil.copytree(planted["ml-latest"], cache / "my-ratings")  # a folder someone put in the data cache
    server.put("ml-1m.zip", zip_folder(planted["ml-1m"], "ml-1m"))
    monkeypatch.setenv("RECALL_DATASET", str(planted["ml-1m"]))
    monkeypatch.setenv("RECALL_STORE", str(tmp_path / "store"))
    monkeypatch.setenv("RECALL_DATA_ROOTS", str(tmp_path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    box = at.selectbox(key="sidebar_dataset")
    assert box.options[1:9] == ["ml-100k · ready offline", "ml-1m · download on first use",
                                "ml-10m · download on first use", "ml-20m · download on first use",
                                "ml-25m · download on first use", "ml-32m · download on first use",
                                "ml-latest-small · download on first use", "ml-latest · download on first use"]
    assert box.options[-1] == "my-ratings · folder in the data cache"
    box.set_value("ml-1m").run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("**ml-1m** is not in the data cache yet" in i.value for i in at.sidebar.info)
    assert any('press "Download ml-1m" in the sidebar' in i.value for i in at.info)
    assert server.hits == {}  # nothing downloaded before the button
    at.button(key="sidebar_download").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert (cache / "ml-1m").is_dir() and server.hits["/movielens/ml-1m.zip"] == 1
    assert at.title[0].value == "Overview" and "ml-1m" in " ".join(c.value for c in at.caption)
    assert at.selectbox(key="sidebar_dataset").options[2] == "ml-1m · downloaded"
    # the folder box takes a generic folder
    folder = write_planted_log(tmp_path / "shop")
    at.text_input(key="sidebar_dataset_path").set_value(str(folder)).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "item field `brand`" in " ".join(m.value for m in at.markdown)
