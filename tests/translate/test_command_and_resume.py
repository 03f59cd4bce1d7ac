"""The command backend, its failures, and resume after a SIGKILL in the middle of a job."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from workbench.cli import main

from .conftest import REGISTRY

LINES = [f"Phrase numéro {i} sur le sommet de Wuxi." for i in range(12)]


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "in.txt"
    path.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    return path


def run_cli(config: Path, source: Path, output: Path, command: str, *extra: str) -> int:
    argv = ["--config", str(config), "translate-file", str(source), str(output), "--src-lang", "fr"]
    return main([*argv, "--backend", "command", "--model", command, *extra])


def test_command_backend_translates_and_sets_languages(
    tmp_path, config_file, source, lookup_command, monkeypatch
):
    monkeypatch.setenv("LOG", str(tmp_path / "log"))
    assert run_cli(config_file, source, tmp_path / "out.txt", lookup_command) == 0
    assert (tmp_path / "out.txt").read_text(encoding="utf-8").splitlines() == [
        f"EN({line})" for line in LINES
    ]
    # batches of 4 (config), longest first: three calls, each line once
    assert sorted((tmp_path / "log").read_text(encoding="utf-8").splitlines()) == sorted(LINES)
    # languages reach the program
    env_cmd = f"{sys.executable} -c \"import os,sys; [print(os.environ['WORKBENCH_SRC_LANG'] + '>' + os.environ['WORKBENCH_TGT_LANG']) for _ in sys.stdin]\""
    assert run_cli(config_file, source, tmp_path / "env.txt", env_cmd, "--no-cache") == 0
    assert set((tmp_path / "env.txt").read_text().splitlines()) == {"fr>en"}


@pytest.mark.parametrize(
    ("fail", "message"),
    [
        ("crash", "exited with status 3 (model server down)"),
        ("drop", "wrote 3 lines for 4 input lines"),
    ],
)
def test_command_that_crashes_or_drops_a_line_fails_clearly(
    tmp_path, config_file, source, lookup_command, monkeypatch, capsys, fail, message
):
    monkeypatch.setenv("FAIL", fail)
    assert run_cli(config_file, source, tmp_path / "out.txt", lookup_command) == 2
    err = capsys.readouterr().err
    assert message in err and "command backend" in err
    assert not (tmp_path / "out.txt").exists()
    with sqlite3.connect(tmp_path / "cache.sqlite") as db:  # nothing from a failed batch is kept
        assert db.execute("SELECT COUNT(*) FROM translations").fetchone()[0] == 0


def test_missing_program_fails_clearly(tmp_path, config_file, source, capsys):
    assert run_cli(config_file, source, tmp_path / "out.txt", "no-such-mt-program --x") == 2
    assert "exited with status 127" in capsys.readouterr().err


def cached_rows(path: Path) -> int:
    try:
        with sqlite3.connect(path, timeout=5) as db:
            return db.execute("SELECT COUNT(*) FROM translations").fetchone()[0]
    except sqlite3.OperationalError:  # not created yet
        return 0


def test_sigkill_mid_job_then_rerun_translates_only_the_rest(
    tmp_path, config_file, source, lookup_command
):
    cache = tmp_path / "cache.sqlite"
    output = tmp_path / "out.txt"
    argv = [
        sys.executable,
        "-m",
        "workbench",
        "--config",
        str(config_file),
        "translate-file",
        str(source),
        str(output),
    ]
    argv += ["--src-lang", "fr", "--backend", "command", "--model", lookup_command, "--no-progress"]
    env = {**os.environ, "SLEEP": "0.4", "LOG": str(tmp_path / "first.log")}
    job = subprocess.Popen(
        argv, cwd=REGISTRY.parents[1], env=env, start_new_session=True, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 30
    while cached_rows(cache) < 4 and time.monotonic() < deadline:  # the first batch is committed
        time.sleep(0.05)
    os.killpg(job.pid, signal.SIGKILL)  # the job and the program it runs
    job.wait(timeout=10)
    assert job.returncode == -signal.SIGKILL
    done = cached_rows(cache)
    assert 4 <= done < len(LINES), "the kill came after the whole job"
    assert not output.exists()  # no half-written output

    env = {**os.environ, "LOG": str(tmp_path / "second.log")}
    proc = subprocess.run(
        argv, cwd=REGISTRY.parents[1], env=env, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    retranslated = (tmp_path / "second.log").read_text(encoding="utf-8").splitlines()
    assert len(retranslated) == len(LINES) - done
    assert f"{done} from the cache, {len(LINES) - done} translated" in proc.stderr
    assert output.read_text(encoding="utf-8").splitlines() == [f"EN({line})" for line in LINES]


def test_two_jobs_at_once_share_the_cache(tmp_path, config_file, source, lookup_command):
    argv = [
        sys.executable,
        "-m",
        "workbench",
        "--config",
        str(config_file),
        "translate-file",
        str(source),
    ]
    options = [
        "--src-lang",
        "fr",
        "--backend",
        "command",
        "--model",
        lookup_command,
        "--batch-size",
        "2",
    ]
    env = {**os.environ, "SLEEP": "0.05"}
    jobs = [
        subprocess.Popen(
            [*argv, str(tmp_path / f"out{i}.txt"), *options], env=env, stderr=subprocess.PIPE
        )
        for i in range(2)
    ]
    codes = [job.wait(timeout=60) for job in jobs]
    errors = [job.stderr.read().decode() if job.stderr else "" for job in jobs]
    assert codes == [0, 0], errors
    expected = [f"EN({line})" for line in LINES]
    for i in range(2):
        assert (tmp_path / f"out{i}.txt").read_text(encoding="utf-8").splitlines() == expected
    assert cached_rows(tmp_path / "cache.sqlite") == len(LINES)
