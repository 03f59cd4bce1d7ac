"""The Ray engine on a local cluster (started once for this module) with the tiny Marian model:
byte-identical to the local engine, resumable from shards, refusing what it must."""

from __future__ import annotations

import errno
import json
import time
from pathlib import Path

import numpy as np
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
    settings = TranslateSettings(beam_size=1, max_length=24, batch_size=4, block_lines=8)
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


def test_disk_full_while_writing_a_shard_leaves_nothing_that_looks_finished(tmp_path, monkeypatch):
    import workbench.translate.distributed as distributed
    from workbench.fileio import atomic_writer

    def fill_up(path, text):
        with atomic_writer(path) as handle:
            handle.write(text[:10])
            raise OSError(errno.ENOSPC, "No space left on device")

    block, path = ["Bonjour.", "Merci."], tmp_path / "shard.jsonl"
    distributed.write_shard(path, block, ["Hello.", "Thanks."])
    assert distributed.read_shard(path, block) == ["Hello.", "Thanks."]
    monkeypatch.setattr(distributed, "atomic_write_text", fill_up)
    other = tmp_path / "other.jsonl"
    with pytest.raises(WorkbenchError, match="disk is full"):
        distributed.write_shard(other, block, ["Hello.", "Thanks."])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shard.jsonl"]  # no partial file
    assert distributed.read_shard(other, block) is None  # a re-run translates that block


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


def test_the_corpus_command_on_ray_writes_what_the_local_engine_writes(
    tmp_path, corpus_copy, tiny_marian, config_file
):
    from workbench.corpus.ingest import ingest

    corpus = ingest(corpus_copy)
    doc = next(d for d in corpus.documents if d.language == "fr")
    argv = ["--config", str(config_file), "translate", doc.id, "--corpus", str(corpus_copy)]
    argv += ["--model", str(tiny_marian), "--no-cache", "--no-progress"]
    assert main([*argv, "--engine", "ray", "--workers", "1", "--block-lines", "8"]) == 0
    written = corpus_copy / "translations" / f"{doc.id}.en.jsonl"
    on_ray = [json.loads(line) for line in written.read_text().splitlines()]
    assert main(argv) == 0
    local = [json.loads(line) for line in written.read_text().splitlines()]
    assert on_ray[1:] == local[1:]  # the records; the header differs only in its date
    assert {**on_ray[0]["provenance"], "created": 0} == {**local[0]["provenance"], "created": 0}


def test_embeddings_on_ray_equal_the_local_ones(tmp_path, source):
    from workbench.translate.distributed import RayJob
    from workbench.translate.embed import embed_file, load_embeddings

    ray_job = RayJob(address=None, workers=1, threads=1)
    embed_file(source, tmp_path / "ray", "use-multilingual-v3", tmp_path, 16, ray_job, False)
    embed_file(source, tmp_path / "local", "use-multilingual-v3", tmp_path, 16, None, False)
    ids, on_ray, _ = load_embeddings(tmp_path / "ray")
    assert ids == list(range(1, 43)) and on_ray.shape == (42, 512)
    assert np.allclose(on_ray, load_embeddings(tmp_path / "local")[1], atol=1e-6)


def test_a_worker_that_dies_is_restarted_and_its_block_sent_again(tmp_path, capsys):
    from workbench.translate.distributed import RayJob, run_blocks

    marker = str(tmp_path / "died-once")

    class Fragile:  # dies (the whole worker process) the first time it sees block 2
        def __init__(self, marker: str):
            self.marker = marker

        def __call__(self, batch):
            import os

            index = int(batch["index"][0])
            if index == 2 and not os.path.exists(self.marker):
                open(self.marker, "w").close()
                os._exit(1)
            texts = json.loads(batch["texts"][0])
            return {
                "index": [index],
                "output": [json.dumps([t.upper() for t in texts])],
                "worker": [str(os.getpid())],
            }

    got: dict[int, list[str]] = {}
    blocks = {i: [f"s{i}a", f"s{i}b"] for i in range(4)}
    job = RayJob(address=None, workers=1, threads=1)
    run_blocks(
        job,
        Fragile,
        (marker,),
        blocks,
        lambda i, out: got.update({i: json.loads(out)}),
        "test",
        False,
    )
    assert Path(marker).exists()  # it did die
    assert "1 Ray worker(s) died and were replaced" in capsys.readouterr().err
    assert got == {i: [t.upper() for t in texts] for i, texts in blocks.items()}


def test_jsonl_records_streamed_on_ray_match_the_local_engine(
    tmp_path, source, tiny_marian, models_dir
):
    from workbench.settings import TranslateSettings

    records = tmp_path / "in.jsonl"
    lines = source.read_text(encoding="utf-8").splitlines()
    records.write_text(
        "".join(json.dumps({"id": f"r{i}", "text": t}) + "\n" for i, t in enumerate(lines))
    )
    local = TranslateSettings(beam_size=1, max_length=24, batch_size=4, block_lines=8)
    options = JobOptions(model=str(tiny_marian), use_cache=False, progress=False)
    translate_file(records, tmp_path / "local.jsonl", "fr", "en", local, models_dir, options)
    stats = run_ray(records, tmp_path / "ray.jsonl", tiny_marian, models_dir, tmp_path / "s")
    assert stats.translated == 40
    assert (tmp_path / "ray.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()
    assert sorted(p.name for p in (tmp_path / "s").iterdir() if not p.name.endswith(".jsonl")) == [
        "manifest.json"
    ]  # shards only: the job's working file is gone
