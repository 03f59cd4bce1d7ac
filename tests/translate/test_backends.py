"""The transformers and CTranslate2 backends on tiny models built by the session fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.cli import main
from workbench.translate.backends.ctranslate2 import CTranslate2Translator
from workbench.translate.backends.transformers import TransformersTranslator
from workbench.translate.engine import make_engine
from workbench.translate.tasks import JobOptions, translate_file

FRENCH = [
    "Le sommet mondial de l'Internet des objets s'est ouvert à Wuxi.",
    "",
    "La ville accueille les entreprises.",
    "Le sommet mondial de l'Internet des objets s'est ouvert à Wuxi.",
]


@pytest.fixture
def french_file(tmp_path: Path) -> Path:
    path = tmp_path / "fr.txt"
    path.write_text("\n".join(FRENCH) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def converted_marian(tiny_marian: Path, models_dir: Path, tmp_path_factory) -> Path:
    """The one CTranslate2 conversion of the session, through `workbench models convert`."""
    config = tmp_path_factory.mktemp("cfg") / "workbench.toml"
    config.write_text(f"[paths]\nmodels = {str(models_dir)!r}\n")
    assert main(["--config", str(config), "models", "convert", str(tiny_marian)]) == 0
    (folder,) = (models_dir / "ctranslate2").glob("tiny-marian@*-int8")
    assert (folder / "model.bin").is_file()
    return folder


def read(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")[:-1]


def test_transformers_marian_translates_line_parallel(
    tmp_path, tsettings, tiny_marian, models_dir, french_file
):
    settings = tsettings.model_copy(update={"backend": "transformers"})
    stats = translate_file(
        french_file,
        tmp_path / "en.txt",
        "fr",
        "en",
        settings,
        models_dir,
        JobOptions(str(tiny_marian)),
    )
    out = read(tmp_path / "en.txt")
    assert len(out) == len(FRENCH)
    assert out[1] == "" and out[0] and out[2] and out[0] == out[3]
    assert (stats.sentences, stats.cached, stats.translated) == (2, 0, 2)


def test_cached_rerun_loads_no_model(
    tmp_path, tsettings, tiny_marian, models_dir, french_file, monkeypatch
):
    settings = tsettings.model_copy(update={"backend": "transformers"})
    options = JobOptions(str(tiny_marian))
    translate_file(french_file, tmp_path / "a.txt", "fr", "en", settings, models_dir, options)

    def no_model(*args, **kwargs):
        raise AssertionError("the model was loaded although every sentence is cached")

    monkeypatch.setattr(TransformersTranslator, "load", classmethod(no_model))
    stats = translate_file(
        french_file, tmp_path / "b.txt", "fr", "en", settings, models_dir, options
    )
    assert (stats.cached, stats.translated) == (2, 0)
    assert read(tmp_path / "a.txt") == read(tmp_path / "b.txt")
    # another decoding setting is another cache entry: the model is needed again
    with pytest.raises(AssertionError, match="the model was loaded"):
        translate_file(
            french_file,
            tmp_path / "c.txt",
            "fr",
            "en",
            settings.model_copy(update={"beam_size": 2}),
            models_dir,
            options,
        )


def test_nllb_gets_source_code_and_forced_target_code(tsettings, tiny_nllb, models_dir):
    settings = tsettings.model_copy(update={"backend": "transformers"})
    engine = make_engine("th", "en", settings, models_dir, str(tiny_nllb))
    translator = engine.translator()
    tok = translator.tokenizer
    assert tok("เมืองอู๋ซี")["input_ids"][0] == tok.convert_tokens_to_ids("tha_Thai")
    inputs = tok(["เมืองอู๋ซี", "งาน World IoT Expo"], return_tensors="pt", padding=True)
    output = translator.model.generate(**inputs, generation_config=translator.generation)
    assert (output[:, 1] == tok.convert_tokens_to_ids("eng_Latn")).all()
    assert all(isinstance(t, str) for t in translator.translate_batch(["เมืองอู๋ซี"]))
    assert engine.provenance()["model"] == str(tiny_nllb)


def test_ctranslate2_uses_the_converted_model_once(
    tmp_path, tsettings, tiny_marian, models_dir, converted_marian, french_file, capsys
):
    stamp = (converted_marian / "model.bin").stat().st_mtime_ns
    settings = tsettings.model_copy(update={"backend": "ctranslate2"})
    engine = make_engine("fr", "en", settings, models_dir, str(tiny_marian))
    assert engine.decoding.precision == "int8" and engine.identity["backend"] == "ctranslate2"
    stats = translate_file(
        french_file,
        tmp_path / "en.txt",
        "fr",
        "en",
        settings,
        models_dir,
        JobOptions(str(tiny_marian)),
    )
    assert "converting" not in capsys.readouterr().err
    assert (converted_marian / "model.bin").stat().st_mtime_ns == stamp
    out = read(tmp_path / "en.txt")
    assert len(out) == 4 and out[1] == "" and out[0] == out[3] and stats.translated == 2
    assert isinstance(engine.translator(), CTranslate2Translator)


def test_long_sentence_is_split_with_a_warning_not_truncated(
    tmp_path, tsettings, tiny_marian, models_dir, capsys
):
    long = ", ".join(["la ville accueille les entreprises du monde entier"] * 6) + "."
    path = tmp_path / "long.txt"
    path.write_text(long + "\nBonjour.\n", encoding="utf-8")
    settings = tsettings.model_copy(update={"backend": "transformers", "max_length": 16})
    stats = translate_file(
        path, tmp_path / "out.txt", "fr", "en", settings, models_dir, JobOptions(str(tiny_marian))
    )
    err = capsys.readouterr().err
    assert stats.split == 1
    assert (
        f"{path}:1 has" in err
        and "over the model's input of 16" in err
        and "clause boundaries" in err
    )
    assert len(read(tmp_path / "out.txt")) == 2
    # a re-run takes the whole sentence from the cache: no warning, nothing translated
    stats = translate_file(
        path, tmp_path / "out2.txt", "fr", "en", settings, models_dir, JobOptions(str(tiny_marian))
    )
    assert (stats.translated, stats.split) == (0, 0) and "warning" not in capsys.readouterr().err
    assert read(tmp_path / "out.txt") == read(tmp_path / "out2.txt")


def test_cli_translate_file_with_each_model_backend(
    tmp_path, config_file, tiny_marian, converted_marian, french_file
):
    for backend in ("transformers", "ctranslate2"):
        out = tmp_path / f"{backend}.txt"
        argv = [
            "--config",
            str(config_file),
            "translate-file",
            str(french_file),
            str(out),
            "--src-lang",
            "fr",
        ]
        assert (
            main([*argv, "--backend", backend, "--model", str(tiny_marian), "--no-progress"]) == 0
        )
        assert len(read(out)) == len(FRENCH)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty input file"),
        (b"\n  \n", "empty input file"),
        (b"caf\xe9\n", "not valid UTF-8"),
        (b"a\x00b", "binary"),
    ],
)
def test_bad_input_file_exits_2_and_writes_nothing(tmp_path, config_file, content, message, capsys):
    source = tmp_path / "in.txt"
    source.write_bytes(content)
    code = main(
        [
            "--config",
            str(config_file),
            "translate-file",
            str(source),
            str(tmp_path / "out.txt"),
            "--src-lang",
            "fr",
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and message in err and str(source) in err
    assert not (tmp_path / "out.txt").exists()


def test_unknown_pair_and_missing_model_folder_exit_2(
    tmp_path, config_file, french_file, tiny_marian, capsys
):
    base = [
        "--config",
        str(config_file),
        "translate-file",
        str(french_file),
        str(tmp_path / "o.txt"),
    ]
    assert main([*base, "--src-lang", "de"]) == 2
    assert "no model for the language pair de→en" in capsys.readouterr().err
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.json").write_text((tiny_marian / "config.json").read_text())
    assert (
        main([*base, "--src-lang", "fr", "--model", str(broken), "--backend", "transformers"]) == 2
    )
    err = capsys.readouterr().err
    assert "model folder is missing weights" in err and str(broken) in err
    assert not (tmp_path / "o.txt").exists()
