"""`workbench embed`: .npy shards in input order, resumable, one encoder per folder; and the
record readers (JSONL, Parquet) that translate-file and embed share."""

from __future__ import annotations

import json

import numpy as np
import pytest

from workbench.cli import main
from workbench.errors import InputError
from workbench.translate.embed import INDEX, load_embeddings
from workbench.translate.records import read_records


@pytest.fixture
def sentences(corpus_texts) -> list[str]:
    return corpus_texts[:30]


def test_embed_writes_unit_rows_in_input_order_and_resumes(tmp_path, sentences, capsys):
    from workbench.align.signals.encoder import get_encoder

    source = tmp_path / "in.jsonl"
    source.write_text(
        "".join(json.dumps({"id": f"s{i}", "text": t}) + "\n" for i, t in enumerate(sentences))
    )
    out = tmp_path / "emb"
    argv = ["embed", str(source), str(out), "--block-lines", "8", "--no-progress"]
    assert main(argv) == 0
    ids, matrix, provenance = load_embeddings(out)
    assert ids == [f"s{i}" for i in range(30)] and matrix.shape == (30, 512)
    expected = get_encoder("use-multilingual-v3").encode(sentences)
    assert np.allclose(matrix, expected, atol=1e-5)
    assert provenance["id"] == "use-multilingual-v3"
    shards = sorted(out.glob("*.npy"))
    assert len(shards) == 4
    shards[1].unlink()
    capsys.readouterr()
    assert main(argv) == 0
    assert "(3 from an earlier run)" in capsys.readouterr().err
    assert np.array_equal(load_embeddings(out)[1], matrix)


def test_embed_refuses_a_folder_of_another_encoder(tmp_path, sentences, capsys):
    source = tmp_path / "in.txt"
    source.write_text("\n".join(sentences[:3]) + "\n")
    out = tmp_path / "emb"
    out.mkdir()
    (out / "manifest.json").write_text('{"identity": {"encoder": {"id": "labse"}}}\n')
    assert main(["embed", str(source), str(out), "--no-progress"]) == 2
    assert "another job's shards" in capsys.readouterr().err
    assert not (out / INDEX).exists()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"text": "x"}', 'needs an "id"'),
        ('{"id": 3, "text": 4}', '"text" must be a string'),
    ],
)
def test_a_bad_jsonl_line_is_named_with_its_number(tmp_path, line, message):
    path = tmp_path / "in.jsonl"
    path.write_text('{"id": 1, "text": "Bonjour."}\n\n' + line + "\n")
    with pytest.raises(InputError, match=message) as err:
        read_records(path)
    assert err.value.line == 3 and str(err.value).startswith(f"{path}:3: ")


def test_parquet_records_are_read_in_order(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "in.parquet"
    pq.write_table(pa.table({"id": [7, 3], "text": ["Bonjour.", "Merci."], "x": [1, 2]}), path)
    records = read_records(path)
    assert records.ids == [7, 3] and records.texts == ["Bonjour.", "Merci."]
    pq.write_table(pa.table({"id": [1], "body": ["a"]}), path)
    with pytest.raises(InputError, match="cannot read id and text columns"):
        read_records(path)


def test_embed_takes_its_default_encoder_from_the_settings(tmp_path, sentences, capsys):
    source = tmp_path / "in.txt"
    source.write_text("\n".join(sentences) + "\n", encoding="utf-8")
    config = tmp_path / "workbench.toml"
    config.write_text('[align]\nencoder = "none"\n', encoding="utf-8")
    out = tmp_path / "out"
    argv = ["--config", str(config), "embed", str(source), str(out), "--no-progress"]
    assert main(argv) == 2  # [align] encoder = none: nothing to embed with
    assert "embed needs an encoder" in capsys.readouterr().err
    assert not (out / INDEX).exists()
