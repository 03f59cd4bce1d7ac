"""The Ray engine on a local cluster (started once for this module) with the tiny Marian model:
byte-identical to the local engine, resumable from shards, refusing what it must."""

from __future__ import annotations

import errno
import time
from pathlib import Path

import pytest

from workbench.cli import main
from workbench.errors import InputError, WorkbenchError
from workbench.translate.tasks import JobOptions, translate_file

ray = pytest.importorskip("ray")


@pytest.fixture(scope="module", autouse=True)
def ray_cluster():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def source(tmp_path_factory, corpus_texts) -> Path:
    path = tmp_path_factory.mktemp("ray-input") / "in.txt"
    lines = corpus_texts[:40] + ["", corpus_texts[3]]  # a blank line and a repeat
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def local_output(tmp_path_factory, source, tiny_marian, models_dir) -> bytes:
    from workbench.settings import TranslateSettings

    out = tmp_path_factory.mktemp("local") / "out.txt"
    settings = TranslateSettings(beam_size=1, max_length=24, batch_size=4)
    options = JobOptions(model=str(tiny_marian), use_cache=False, progress=False)
    translate_file(source, out, "fr", "en", settings, models_dir, options)
    return out.read_bytes()


def ray_settings(**changes):
    from workbench.settings import TranslateSettings

    values = {"beam_size": 1, "max_length": 24, "batch_size": 4, "engine": "ray", "block_lines": 8}
    return TranslateSettings(**{**values, **changes})


def run_ray(source, out, tiny_marian, models_dir, shards, **changes):
    options = JobOptions(model=str(tiny_marian), use_cache=False, progress=False, shards=shards)
    return translate_file(source, out, "fr", "en", ray_settings(**changes), models_dir, options)


def test_two_workers_match_the_local_engine_byte_for_byte_and_resume(
    tmp_path, source, local_output, tiny_marian, models_dir
):
    shards = tmp_path / "shards"
    stats = run_ray(source, tmp_path / "out.txt", tiny_marian, models_dir, shards, workers=2)
    assert (tmp_path / "out.txt").read_bytes() == local_output
    assert stats.translated == 40 and stats.cached == 0
    shard_files = sorted(p for p in shards.iterdir() if p.name != "manifest.json")
    assert len(shard_files) == 5  # 40 distinct sentences in blocks of 8
    for lost in shard_files[:2]:  # a crash before these two blocks were finished
        lost.unlink()
    again = run_ray(source, tmp_path / "again.txt", tiny_marian, models_dir, shards, workers=1)
    assert again.translated == 16 and again.cached == 24  # only the missing blocks
    assert (tmp_path / "again.txt").read_bytes() == local_output


def test_a_shard_folder_of_another_model_or_decoding_is_refused(
    tmp_path, source, tiny_marian, models_dir
):
    shards = tmp_path / "shards"
    shards.mkdir()
    (shards / "manifest.json").write_text('{"identity": {"model": "someone/else"}}\n')
    with pytest.raises(InputError, match="another job's shards .*someone/else.*never mixed"):
        run_ray(source, tmp_path / "out.txt", tiny_marian, models_dir, shards)
    assert not (tmp_path / "out.txt").exists()


def test_disk_full_while_writing_shards_leaves_no_half_written_shard(
    tmp_path, source, tiny_marian, models_dir, monkeypatch
):
    import workbench.translate.distributed as distributed

    real, calls = distributed.atomic_write_text, []

    def fill_up(path, text):
        calls.append(path)
        if len(calls) > 2:  # the manifest and one shard fit, then the disk is full
            raise OSError(errno.ENOSPC, "No space left on device")
        real(path, text)

    monkeypatch.setattr(distributed, "atomic_write_text", fill_up)
    shards = tmp_path / "shards"
    with pytest.raises(WorkbenchError, match="cannot write the shard: No space left on device"):
        run_ray(source, tmp_path / "out.txt", tiny_marian, models_dir, shards)
    assert sorted(p.name for p in shards.iterdir() if not p.name.endswith(".jsonl")) == [
        "manifest.json"
    ]
    assert len(list(shards.glob("*.jsonl"))) == 1 and not (tmp_path / "out.txt").exists()


def test_an_address_that_does_not_answer_fails_in_seconds_naming_it(
    tmp_path, source, tiny_marian, config_file, capsys
):
    started = time.perf_counter()
    argv = ["--config", str(config_file), "translate-file", str(source), str(tmp_path / "o.txt")]
    argv += ["--src-lang", "fr", "--model", str(tiny_marian), "--engine", "ray"]
    assert main([*argv, "--address", "ray://127.0.0.1:9"]) == 2
    assert time.perf_counter() - started < 15
    err = capsys.readouterr().err
    assert "Ray cluster at ray://127.0.0.1:9 does not answer" in err and "Traceback" not in err
