"""A fake sentence encoder for cluster tests: character-trigram hashing (no model, fast).

Texts that share trigrams get high cosines, so the seed's French and English never match
each other here; tests that need cross-language clusters build their vectors by hand.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

DIM = 256


class FakeEncoder:
    id = "fake-trigrams"
    dim = DIM

    def supports(self, language: str) -> bool:
        return True

    def provenance(self) -> dict[str, object]:
        return {"id": self.id, "dim": DIM}

    def encode(self, texts) -> np.ndarray:
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        for row, text in enumerate(texts):
            low = f"  {text.lower()}  "
            for i in range(len(low) - 2):
                h = int.from_bytes(hashlib.blake2b(low[i : i + 3].encode(), digest_size=4).digest())
                out[row, h % DIM] += 1.0
            norm = np.linalg.norm(out[row])
            if norm:
                out[row] /= norm
        return out


@pytest.fixture
def fake_encoder(monkeypatch: pytest.MonkeyPatch) -> FakeEncoder:
    from workbench.align.signals import semantic

    encoder = FakeEncoder()
    monkeypatch.setattr(semantic, "open_encoder", lambda name, cache, models_dir=None: encoder)
    return encoder
