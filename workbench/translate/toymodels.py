"""Random-weight Marian and NLLB models built from text, for tests and benchmarks.

No weights can be downloaded here, so the test suite and ``bench/translate_speed.py`` build
real transformers model folders (config, weights, tokenizer files) that load through the same
``from_pretrained`` code as a hub model: a sentencepiece model trained on the given text,
then a randomly initialised model of the requested size. Translations are nonsense; speed
and plumbing are real.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from pathlib import Path


def train_sentencepiece(texts: Iterable[str], vocab_size: int, **options: object) -> bytes:
    """A unigram sentencepiece model (serialized); shrinks the vocabulary if the text is small."""
    import sentencepiece as spm

    lines = [t for t in texts if t.strip()]
    while True:
        model = io.BytesIO()
        try:
            spm.SentencePieceTrainer.train(
                sentence_iterator=iter(lines),
                model_writer=model,
                vocab_size=vocab_size,
                model_type="unigram",
                character_coverage=1.0,
                minloglevel=2,
                **options,
            )
            return model.getvalue()
        except RuntimeError as exc:  # "Vocabulary size is too high": fewer pieces
            if "Vocabulary size" not in str(exc) or vocab_size <= 100:
                raise
            vocab_size = int(vocab_size * 0.8)


def build_marian(
    folder: Path,
    texts: Iterable[str],
    *,
    spm_vocab: int = 1000,
    model_vocab: int | None = None,
    d_model: int = 64,
    layers: int = 2,
    heads: int = 4,
    ffn: int = 128,
    max_positions: int = 512,
    seed: int = 0,
) -> Path:
    """A Marian (opus-mt layout) model: source.spm, target.spm, vocab.json, config, weights.

    ``model_vocab`` larger than the sentencepiece vocabulary pads ``vocab.json`` with unused
    pieces (benchmarks: opus-mt's 60k output layer on a tokenizer trained on little text)."""
    import torch
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    spm_bytes = train_sentencepiece(texts, spm_vocab, eos_id=0, unk_id=1, bos_id=-1, pad_id=-1)
    for name in ("source.spm", "target.spm"):
        (folder / name).write_bytes(spm_bytes)
    import sentencepiece as spm

    processor = spm.SentencePieceProcessor(model_proto=spm_bytes)
    pieces = [processor.id_to_piece(i) for i in range(processor.get_piece_size())]
    if model_vocab and model_vocab > len(pieces) + 1:
        pieces += [f"▁unused{i}" for i in range(model_vocab - len(pieces) - 1)]
    vocab = {piece: i for i, piece in enumerate(pieces)}
    vocab["<pad>"] = len(vocab)  # the last id: padding and decoder start
    (folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False))
    tokenizer = MarianTokenizer(
        str(folder / "source.spm"), str(folder / "target.spm"), str(folder / "vocab.json")
    )
    tokenizer.save_pretrained(folder)
    pad = vocab["<pad>"]
    config = MarianConfig(
        vocab_size=len(vocab),
        **_dimensions(d_model, layers, heads, ffn, max_positions),
        pad_token_id=pad,
        decoder_start_token_id=pad,
        eos_token_id=0,
        forced_eos_token_id=0,
        bad_words_ids=[[pad]],
        num_beams=4,
        max_length=max_positions,
    )
    torch.manual_seed(seed)
    MarianMTModel(config).save_pretrained(folder)
    return folder


def _dimensions(d_model: int, layers: int, heads: int, ffn: int, max_positions: int) -> dict:
    """Encoder and decoder alike: the config keys shared by Marian and M2M100."""
    return {
        "d_model": d_model,
        "encoder_layers": layers,
        "decoder_layers": layers,
        "encoder_attention_heads": heads,
        "decoder_attention_heads": heads,
        "encoder_ffn_dim": ffn,
        "decoder_ffn_dim": ffn,
        "max_position_embeddings": max_positions,
    }


def build_nllb(
    folder: Path,
    texts: Iterable[str],
    *,
    spm_vocab: int = 1000,
    d_model: int = 64,
    layers: int = 2,
    heads: int = 4,
    ffn: int = 128,
    max_positions: int = 256,
    seed: int = 0,
) -> Path:
    """An NLLB-style model (M2M100 architecture, NllbTokenizer with the FLORES language codes)."""
    import torch
    from transformers import M2M100Config, M2M100ForConditionalGeneration, NllbTokenizer
    from transformers.models.nllb.tokenization_nllb import FAIRSEQ_LANGUAGE_CODES

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    # the NLLB tokenizer is converted from a sentencepiece file; the language codes are
    # added only when passed explicitly (otherwise tha_Thai silently maps to <unk>)
    (folder / "sentencepiece.bpe.model").write_bytes(
        train_sentencepiece(texts, spm_vocab, bos_id=0, pad_id=1, eos_id=2, unk_id=3)
    )
    tokenizer = NllbTokenizer.from_pretrained(
        str(folder), extra_special_tokens=list(FAIRSEQ_LANGUAGE_CODES), local_files_only=True
    )
    tokenizer.save_pretrained(folder)
    config = M2M100Config(
        vocab_size=len(tokenizer),
        **_dimensions(d_model, layers, heads, ffn, max_positions),
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
        decoder_start_token_id=2,
        scale_embedding=True,
    )
    torch.manual_seed(seed)
    M2M100ForConditionalGeneration(config).save_pretrained(folder)
    return folder
