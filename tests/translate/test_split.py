"""Long sentences are split at clause boundaries, never truncated."""

from __future__ import annotations

from workbench.translate.split import join_pieces, split_to_fit


def words(texts: list[str]) -> list[int]:
    return [len(t.split()) for t in texts]


def test_short_sentence_is_kept_whole():
    assert split_to_fit("Le sommet s'ouvre.", words, 10) == ["Le sommet s'ouvre."]


def test_split_prefers_clause_punctuation_and_packs_clauses():
    text = "Le sommet a ouvert ses portes, la ville accueille les visiteurs, et les entreprises exposent leurs produits."
    pieces = split_to_fit(text, words, 10)
    assert pieces == [
        "Le sommet a ouvert ses portes,",
        "la ville accueille les visiteurs,",
        "et les entreprises exposent leurs produits.",
    ]
    assert all(n <= 10 for n in words(pieces))
    assert join_pieces(pieces).split() == text.split()  # nothing lost


def test_split_falls_back_to_conjunctions_then_spaces():
    text = "one two three four five and six seven eight nine ten eleven twelve"
    pieces = split_to_fit(text, words, 6)
    assert pieces[0] == "one two three four five"
    assert all(n <= 6 for n in words(pieces))
    assert join_pieces(pieces).split() == text.split()


def test_thai_without_punctuation_splits_at_spaces():
    text = "มหกรรม World IoT Expo เปิดฉากแล้ว ที่เมืองอู๋ซี และมีบริษัทเข้าร่วมจำนวนมาก ตลอดจนผู้เชี่ยวชาญ"

    def chars(texts: list[str]) -> list[int]:  # a character-level "tokenizer"
        return [len(t) for t in texts]

    pieces = split_to_fit(text, chars, 40)
    assert len(pieces) > 1 and all(len(p) <= 40 for p in pieces)
    assert "".join(join_pieces(pieces).split()) == "".join(text.split())


def test_unbroken_text_is_cut_between_characters_not_dropped():
    text = "x" * 50
    pieces = split_to_fit(text, lambda ts: [len(t) for t in ts], 16)
    assert "".join(pieces) == text and all(len(p) <= 16 for p in pieces)
