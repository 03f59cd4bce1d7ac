"""Random-weight Marian and NLLB models (and a BERT sentence encoder) built from text, for tests
and benchmarks.

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


def build_bert_encoder(
    folder: Path,
    texts: Iterable[str],
    *,
    hidden: int = 32,
    layers: int = 2,
    heads: int = 4,
    intermediate: int = 64,
    max_positions: int = 128,
    max_words: int = 2000,
    sentence_transformers: bool = False,
    pooling: str = "cls",
    dense_features: int = 16,
    dense_activation: str = "Tanh",
    seed: int = 0,
) -> Path:
    """A random BERT sentence encoder: WordPiece vocabulary from the texts' characters (and
    ``##`` continuations) plus their most frequent words, ``tokenizer.json`` + ``vocab.txt``,
    a random ``BertModel`` (with a pooler). ``sentence_transformers=True`` adds the
    sentence-transformers layout: ``modules.json``, ``1_Pooling/config.json`` (``pooling``:
    cls or mean), ``2_Dense/`` (``dense_features`` outputs, Tanh or Identity) and
    ``sentence_bert_config.json``."""
    from collections import Counter

    import torch
    from transformers import BertConfig, BertModel, BertTokenizerFast

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    words: Counter[str] = Counter()
    chars: set[str] = set()
    for text in texts:
        for word in text.split():
            words[word] += 1
            chars.update(word)
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    vocab += sorted(chars) + [f"##{c}" for c in sorted(chars)]
    seen = set(vocab)
    vocab += [w for w, _ in words.most_common(max_words) if w not in seen and len(w) > 1]
    (folder / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    # read back from vocab.txt (the constructor's vocabulary argument differs between
    # transformers versions); save_pretrained then writes tokenizer.json as well
    tokenizer = BertTokenizerFast.from_pretrained(
        str(folder), do_lower_case=False, model_max_length=max_positions, local_files_only=True
    )
    if tokenizer.convert_tokens_to_ids(vocab[-1]) != len(vocab) - 1:
        raise RuntimeError("the BERT tokenizer did not take the vocabulary from vocab.txt")
    tokenizer.save_pretrained(folder)
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=hidden,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        intermediate_size=intermediate,
        max_position_embeddings=max_positions,
    )
    torch.manual_seed(seed)
    BertModel(config).save_pretrained(folder)
    if sentence_transformers:
        _sentence_transformers_layout(folder, hidden, pooling, dense_features, dense_activation)
    return folder


def _sentence_transformers_layout(
    folder: Path, hidden: int, pooling: str, dense_features: int, activation: str
) -> None:
    import torch
    from safetensors.torch import save_file

    if pooling not in ("cls", "mean") or activation not in ("Tanh", "Identity"):
        raise ValueError("pooling: cls or mean; activation: Tanh or Identity")
    modules = [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Dense", "type": "sentence_transformers.models.Dense"},
        {"idx": 3, "name": "3", "path": "3_Normalize", "type": "sentence_transformers.models.Normalize"},
    ]  # fmt: skip
    (folder / "modules.json").write_text(json.dumps(modules, indent=2))
    (folder / "sentence_bert_config.json").write_text(
        json.dumps({"max_seq_length": 64, "do_lower_case": False})
    )
    (folder / "1_Pooling").mkdir(exist_ok=True)
    (folder / "1_Pooling" / "config.json").write_text(
        json.dumps(
            {
                "word_embedding_dimension": hidden,
                "pooling_mode_cls_token": pooling == "cls",
                "pooling_mode_mean_tokens": pooling == "mean",
                "pooling_mode_max_tokens": False,
                "pooling_mode_mean_sqrt_len_tokens": False,
            }
        )
    )
    dense = folder / "2_Dense"
    dense.mkdir(exist_ok=True)
    module = "linear.Identity" if activation == "Identity" else "activation.Tanh"
    (dense / "config.json").write_text(
        json.dumps(
            {
                "in_features": hidden,
                "out_features": dense_features,
                "bias": True,
                "activation_function": f"torch.nn.modules.{module}",
            }
        )
    )
    layer = torch.nn.Linear(hidden, dense_features)  # seeded by the caller
    save_file(
        {
            "linear.weight": layer.weight.detach().clone(),
            "linear.bias": layer.bias.detach().clone(),
        },
        str(dense / "model.safetensors"),
    )
    (folder / "3_Normalize").mkdir(exist_ok=True)
