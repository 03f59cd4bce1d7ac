"""A local Hugging Face hub for the download tests: the file API that ``huggingface_hub`` calls,
served from memory on 127.0.0.1 (``HF_ENDPOINT=http://127.0.0.1:PORT``).

Endpoints (as the hub client of ``huggingface_hub`` 1.x/2.x uses them):
  GET  /api/models/{repo}/revision/{rev}        model info: ``sha`` (a branch resolved to a commit)
  GET  /api/models/{repo}/tree/{rev}?recursive= files with ``oid`` (git blob sha1), ``size`` and,
                                                for large files, ``lfs`` (``oid`` = sha256)
  HEAD /{repo}/resolve/{rev}/{path}             X-Repo-Commit, ETag (X-Linked-Etag for LFS),
                                                Content-Length
  GET  /{repo}/resolve/{rev}/{path}             the bytes; ``Range: bytes=N-`` gives a 206
An unknown repository or revision is a 404 with ``X-Error-Code`` (RepoNotFound,
RevisionNotFound, EntryNotFound), as the hub answers.

Faults, set by a test: ``cut`` {path: bytes} sends that many bytes of a GET with the full
Content-Length and drops the connection (once per path); ``broken`` {path} answers GET with
500; ``corrupt`` {path} serves other bytes of the same length (the tree and ETag keep the true
checksum). ``requests`` logs (method, path, Range header) of every request.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlparse

LFS_MIN_BYTES = 10_000  # files at least this big are "LFS" files (sha256 ETag), as on the hub


def git_blob_sha1(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


@dataclass
class Repo:
    commit: str
    files: dict[str, bytes]
    branch: str = "main"


@dataclass
class HubState:
    repos: dict[str, Repo] = field(default_factory=dict)
    cut: dict[str, int] = field(default_factory=dict)
    broken: set[str] = field(default_factory=set)
    corrupt: set[str] = field(default_factory=set)
    requests: list[tuple[str, str, str | None]] = field(default_factory=list)

    def add_folder(self, repo_id: str, commit: str, folder: Path) -> None:
        files = {
            p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*"))
            if p.is_file()
        }
        self.repos[repo_id] = Repo(commit, files)

    def gets(self, name: str) -> int:
        """How many GETs asked for the file ``name`` (any repository)."""
        return sum(1 for m, p, _ in self.requests if m == "GET" and p.endswith("/" + name))


def _entry(path: str, data: bytes) -> dict:
    entry = {"type": "file", "path": path, "size": len(data), "oid": git_blob_sha1(data)}
    if len(data) >= LFS_MIN_BYTES:
        entry["lfs"] = {
            "oid": hashlib.sha256(data).hexdigest(),
            "size": len(data),
            "pointerSize": 134,
        }
    return entry


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state: HubState  # set on the subclass made per server

    def log_message(self, *args: object) -> None:  # quiet
        pass

    def _error(self, status: int, code: str, message: str) -> None:
        body = json.dumps({"error": message}).encode()
        self.send_response(status)
        self.send_header("X-Error-Code", code)
        self.send_header("X-Error-Message", message)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, value: object) -> None:
        body = json.dumps(value).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _repo_at(self, repo_id: str, rev: str) -> Repo | None:
        repo = self.state.repos.get(repo_id)
        if repo is None:
            self._error(404, "RepoNotFound", f"Repository {repo_id} not found")
            return None
        if rev not in (repo.commit, repo.branch):
            self._error(404, "RevisionNotFound", f"Invalid rev id: {rev}")
            return None
        return repo

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self._serve()

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve()

    def _serve(self) -> None:
        url = urlparse(self.path)
        path = unquote(url.path)
        self.state.requests.append((self.command, path, self.headers.get("Range")))
        parts = path.strip("/").split("/")
        if parts[:2] == ["api", "models"] and len(parts) >= 6 and parts[4] in ("revision", "tree"):
            repo = self._repo_at("/".join(parts[2:4]), parts[5])
            if repo is None:
                return
            if parts[4] == "revision":
                siblings = [{"rfilename": name} for name in repo.files]
                self._json({"id": "/".join(parts[2:4]), "sha": repo.commit, "siblings": siblings})
            else:
                self._json([_entry(name, data) for name, data in repo.files.items()])
            return
        if len(parts) >= 5 and parts[2] == "resolve":
            repo = self._repo_at("/".join(parts[:2]), parts[3])
            if repo is not None:
                self._file(repo, "/".join(parts[4:]))
            return
        self._error(404, "EntryNotFound", f"no route {path}")

    def _file(self, repo: Repo, name: str) -> None:
        data = repo.files.get(name)
        if data is None:
            self._error(404, "EntryNotFound", f"{name} does not exist")
            return
        etag = (
            hashlib.sha256(data).hexdigest() if len(data) >= LFS_MIN_BYTES else git_blob_sha1(data)
        )
        if self.command == "GET" and name in self.state.broken:
            self._error(500, "Internal", "storage backend unavailable")
            return
        if self.command == "GET" and name in self.state.corrupt:
            data = bytes(b ^ 0x5A for b in data)
        start = 0
        ranged = self.headers.get("Range")
        if self.command == "GET" and ranged and ranged.startswith("bytes="):
            start = int(ranged[6:].split("-")[0])
        self.send_response(206 if start else 200)
        self.send_header("X-Repo-Commit", repo.commit)
        self.send_header("ETag", f'"{etag}"')
        if len(data) >= LFS_MIN_BYTES:
            self.send_header("X-Linked-Etag", f'"{etag}"')
            self.send_header("X-Linked-Size", str(len(data)))
        if start:
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        self.send_header("Content-Length", str(len(data) - start))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        if self.command == "HEAD":
            return
        cut = self.state.cut.pop(name, None)
        if cut is not None and cut > start:
            self.wfile.write(data[start:cut])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(data[start:])


class LocalHub:
    """A running local hub: ``with LocalHub(state) as hub: ... hub.endpoint``."""

    def __init__(self, state: HubState):
        handler = type("Handler", (_Handler,), {"state": state})
        self.state = state
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LocalHub:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
