"""Contracts that keep the codebase safe (issue 11): layering, no private names across
packages from the command line, no network in tests."""

from __future__ import annotations

import ast
import shutil
import socket
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from tests.conftest import NetworkBlocked

ROOT = Path(__file__).resolve().parent.parent


def test_import_layering_contracts_hold() -> None:
    """``lint-imports`` (pyproject's [tool.importlinter]): core never imports Textual, the
    store never imports the aligner."""
    exe = Path(sys.executable).with_name("lint-imports")
    command = [str(exe)] if exe.exists() else [shutil.which("lint-imports") or "lint-imports"]
    result = subprocess.run(
        [*command, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "broken" not in result.stdout.split("Contracts:")[-1].split(",")[0]


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _private_imports(source: str, own_package: str = "workbench.cli") -> list[str]:
    """Private names of other workbench packages that ``source`` imports or uses
    (``from workbench.x import _y``, ``import workbench._x``, ``module._y`` attributes)."""
    found, modules = [], set()
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("workbench"):
            if node.module.startswith(own_package):
                continue
            private_module = any(_private(part) for part in node.module.split("."))
            for alias in node.names:
                modules.add(alias.asname or alias.name)
                if private_module or _private(alias.name):
                    found.append(f"{node.lineno} {node.module}.{alias.name}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("workbench") and not alias.name.startswith(own_package):
                    modules.add(alias.asname or alias.name.split(".")[0])
                    if any(_private(part) for part in alias.name.split(".")):
                        found.append(f"{node.lineno} {alias.name}")
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
            and _private(node.attr)
        ):
            found.append(f"{node.lineno} {node.value.id}.{node.attr}")
    return found


def test_cli_imports_no_private_names() -> None:
    """The command line calls the library's public functions only."""
    found = [
        f"{path.name}:{hit}"
        for path in sorted((ROOT / "workbench" / "cli").glob("*.py"))
        for hit in _private_imports(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_private_name_detector_sees_each_form() -> None:
    sample = (
        "from workbench.store.realign import _aligner\n"
        "import workbench.align._kernels\n"
        "from workbench.store import realign\n"
        "realign._aligner()\n"
        "from workbench.cli._common import settings_from\n"  # the cli's own helpers: fine
        "from workbench import __version__\n"
    )
    assert _private_imports(sample) == [
        "1 workbench.store.realign._aligner",
        "2 workbench.align._kernels",
        "4 realign._aligner",
    ]


@pytest.mark.parametrize("host", ["huggingface.co", "8.8.8.8", "2001:4860:4860::8888"])
def test_network_beyond_this_machine_fails_loudly(host: str) -> None:
    with pytest.raises(NetworkBlocked):
        socket.create_connection((host, 443), timeout=1)


def test_a_library_cannot_swallow_the_network_block() -> None:
    def fetch() -> str:
        try:
            socket.getaddrinfo("example.org", 80)
        except Exception:  # what HTTP clients do: fall back quietly
            return "offline fallback"
        return "online"

    with pytest.raises(NetworkBlocked):
        fetch()


def test_loopback_still_works() -> None:
    class Hello(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"hi")

        def log_message(self, *args) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Hello)
    thread = threading.Thread(target=server.handle_request, daemon=True)
    thread.start()
    with socket.create_connection(("localhost", server.server_port), timeout=5) as sock:
        sock.sendall(b"GET / HTTP/1.0\r\n\r\n")
        assert sock.recv(100).startswith(b"HTTP/1.0 200")
    thread.join(5)
    server.server_close()
