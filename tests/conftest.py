"""Shared fixtures."""

from __future__ import annotations

import ipaddress
import os
import shutil
import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


# -- no test touches the network (issue 11) --------------------------------------------------
# Sockets may reach this machine (loopback: the local hub server, Ray's local cluster) and
# nothing else. Any other connection or name lookup raises NetworkBlocked, a BaseException so
# that no "except Exception" (or OSError retry loop) in a library can hide it: a test that
# needs the network fails loudly, whether or not the machine is online.


class NetworkBlocked(BaseException):
    """A test tried to reach the network."""


_LOCAL_NAMES = {"", "localhost", "localhost.localdomain", "ip6-localhost", socket.gethostname()}


def _loopback(host: object) -> bool:
    """Whether ``host`` names this machine (loopback, "any" for a server's bind, its name)."""
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if host is None or host in _LOCAL_NAMES:
        return True
    if not isinstance(host, str):
        return False
    try:
        address = ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def _check_address(sock: socket.socket, address: object) -> None:
    if sock.family not in (socket.AF_INET, socket.AF_INET6):
        return  # Unix sockets (tmux, multiprocessing) stay local
    host = address[0] if isinstance(address, tuple) else address
    if not _loopback(host) and sock.type != socket.SOCK_DGRAM:
        raise NetworkBlocked(f"tests may not use the network: connect to {address!r}")


def _install_network_guard() -> None:
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def connect(self, address):
        _check_address(self, address)
        return real_connect(self, address)

    def connect_ex(self, address):
        _check_address(self, address)
        return real_connect_ex(self, address)

    def getaddrinfo(host, *args, **kwargs):
        if not _loopback(host):
            raise NetworkBlocked(f"tests may not use the network: name lookup of {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    socket.socket.connect = connect
    socket.socket.connect_ex = connect_ex
    socket.getaddrinfo = getaddrinfo


def pytest_configure(config) -> None:
    _install_network_guard()
    # the hub is offline for every test (before any hub library is imported): the main job
    # downloads missing models on a connected machine, and no test may be that machine; the
    # download tests turn it back on against their local hub (tests/translate/hubserver.py)
    os.environ["HF_HUB_OFFLINE"] = "1"


@pytest.fixture(scope="session", autouse=True)
def _embedding_cache_under_tmp(tmp_path_factory):
    """The aligner's embedding cache goes to one session folder under tmp, never .workbench/
    (one cache for the session: the seed sentences are encoded once)."""
    from workbench.align.signals import semantic

    folder = tmp_path_factory.mktemp("embeddings")
    original = semantic.open_encoder

    def open_encoder(name, cache, models_dir=Path("models")):
        return original(name, None if cache is None else folder / "embeddings.sqlite", models_dir)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(semantic, "open_encoder", open_encoder)
        yield


@pytest.fixture(scope="session")
def seed_corpus():
    """The five seed articles, ingested once per session (read-only)."""
    from workbench.corpus.ingest import ingest

    return ingest(CORPUS)


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A writable copy of the seed corpus folder (articles and manifest only)."""
    target = tmp_path / "corpus"
    target.mkdir()
    for path in CORPUS.iterdir():
        if path.is_file():
            shutil.copy(path, target / path.name)
    return target


@pytest.fixture
def live_pid():
    """A process that stays alive for the test: the owner of a 'live' leftover."""
    import subprocess

    proc = subprocess.Popen(["sleep", "300"])
    yield proc.pid
    proc.kill()
    proc.wait()
