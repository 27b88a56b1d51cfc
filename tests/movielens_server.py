"""A loopback HTTP server that plays GroupLens for the downloader tests, and planted MovieLens zips to serve.

``MirrorServer`` serves ``files`` (URL path -> bytes) on 127.0.0.1; anything else is a 404. Per path it can
announce a wrong ``Content-Length`` (the connection then closes early: a truncated download) and send slowly
(``delay`` seconds between 1 KiB chunks: time to ``kill -9`` a downloader). ``hits`` counts requests per path.
"""
from __future__ import annotations

import hashlib
import io
import threading
import time
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class MirrorServer:
    def __init__(self):
        self.files: dict[str, bytes] = {}
        self.announce: dict[str, int] = {}
        self.delay: dict[str, float] = {}
        self.hits: dict[str, int] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):  # noqa: N802
                path = self.path.split("?")[0]
                server.hits[path] = server.hits.get(path, 0) + 1
                body = server.files.get(path)
                if body is None:
                    self.send_error(404, "Not Found")
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(server.announce.get(path, len(body))))
                self.end_headers()
                delay = server.delay.get(path, 0.0)
                step = 1024 if delay else 1 << 16
                try:
                    for i in range(0, len(body), step):
                        self.wfile.write(body[i:i + step])
                        if delay:
                            self.wfile.flush()
                            time.sleep(delay)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                self.close_connection = True

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/movielens"

    def put(self, name: str, data: bytes, md5: str | None = "gnu") -> None:
        """Serve ``<base>/<name>`` and, unless ``md5`` is None, ``<name>.md5`` (``"gnu"`` / ``"bsd"`` format, or
        the literal text to serve)."""
        self.files[f"/movielens/{name}"] = data
        digest = hashlib.md5(data).hexdigest()
        text = {"gnu": f"{digest}  {name}\n", "bsd": f"MD5 ({name}) = {digest}\n"}.get(md5, md5)
        if text is not None:
            self.files[f"/movielens/{name}.md5"] = text.encode()
        else:
            self.files.pop(f"/movielens/{name}.md5", None)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def zip_folder(folder: Path, top: str, stored: bool = False) -> bytes:
    """The files of ``folder`` zipped under ``top/`` (as GroupLens zips hold ``ml-1m/``)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED) as z:
        z.writestr(f"{top}/", b"")
        for p in sorted(Path(folder).iterdir()):
            z.write(p, f"{top}/{p.name}")
    return buf.getvalue()


def planted_movielens(root: Path, layout: str = "ml-1m", drop: tuple[str, ...] = ()) -> Path:
    """The planted dataset written as a MovieLens folder in ``layout`` (``ml-10m``: ml-1m without users.dat)."""
    from recall_core.data.planted import planted_dataset, write_movielens

    folder = write_movielens(planted_dataset(n_clusters=3, items_per_cluster=6, users_per_cluster=5, history=4,
                                             noise=0.1, seed=3), Path(root), "ml-1m" if layout == "ml-10m" else layout)
    for name in drop + (("users.dat",) if layout == "ml-10m" else ()):
        (folder / name).unlink()
    return folder
