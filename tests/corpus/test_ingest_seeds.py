"""Ingestion of the five seed articles: offsets, metadata, segmentation quality."""

from __future__ import annotations

import re
import unicodedata

import pytest

from tests.conftest import CORPUS


def test_all_five_seeds_are_ingested_with_manifest_metadata(seed_corpus):
    docs = {d.id: d for d in seed_corpus.documents}
    assert set(docs) == {
        "th-2021-xinhua",
        "en-2022-chinadaily",
        "fr-2022-cnw",
        "en-2021-globaltimes",
        "en-2023",
    }
    assert docs["th-2021-xinhua"].language == "th"
    assert docs["th-2021-xinhua"].edition == 2021
    assert docs["th-2021-xinhua"].outlet == "Xinhua Silk Road"
    assert docs["fr-2022-cnw"].language == "fr"
    assert [d.edition for d in seed_corpus.documents] == [2021, 2022, 2022, 2021, 2023]


@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS.glob("*.txt")))
def test_every_seed_is_rebuilt_byte_for_byte(seed_corpus, name):
    doc = next(d for d in seed_corpus.documents if d.path.name == name)
    original = (CORPUS / name).read_bytes()
    assert doc.rebuild().encode("utf-8") == original
    # the spans themselves carry all the text: what lies between sentences is whitespace or
    # the metadata prefix, and each sentence is its span, NFC-normalised
    cursor = 0
    for sentence in doc.sentences:
        gap = doc.raw[cursor : sentence.start]
        if doc.metadata_span and cursor == 0:
            gap = gap[doc.metadata_span[1] :]
        assert gap.strip() == "", f"text lost between sentences: {gap!r}"
        assert sentence.text == unicodedata.normalize("NFC", doc.raw[sentence.start : sentence.end])
        assert sentence.text == sentence.text.strip()
        cursor = sentence.end
    assert doc.raw[cursor:].strip() == ""


def test_sentence_ids_are_document_id_and_index(seed_corpus):
    for doc in seed_corpus.documents:
        assert [s.id for s in doc.sentences] == [f"{doc.id}:{i}" for i in range(len(doc.sentences))]
        assert seed_corpus.sentence(doc.sentences[-1].id) is doc.sentences[-1]


def test_date_line_is_metadata_not_a_sentence(seed_corpus):
    en22 = seed_corpus.document("en-2022-chinadaily")
    fr22 = seed_corpus.document("fr-2022-cnw")
    assert en22.date == "2022-11-26"  # from the " date 2022-11-26" prefix
    assert fr22.date == "2022-11-29"  # the manifest's more precise date wins
    for doc in (en22, fr22):
        assert doc.metadata_span is not None
        assert not any("date 2022" in s.text for s in doc.sentences)
    assert en22.sentences[0].text.startswith("On October 26, the main event")


def test_french_dateline_stays_in_its_sentence(seed_corpus):
    first = seed_corpus.document("fr-2022-cnw").sentences[0].text
    assert first.startswith("BEIJING, 29 novembre 2022 /CNW/ - Le sommet mondial")
    assert first.endswith("dans l'est de la Chine.")


def test_english_abbreviations_do_not_break_sentences(seed_corpus):
    en21 = seed_corpus.document("en-2021-globaltimes")
    hosts = [s for s in en21.sentences if s.text.startswith("2021 WIOT is hosted by")]
    assert len(hosts) == 1
    # the long list of "... Co., Ltd" companies is one sentence, up to its full stop
    assert "Huawei Technologies Co., Ltd, JD Group" in hosts[0].text
    assert hosts[0].text.endswith("other organizations and units.")
    for doc in seed_corpus.by_language("en"):
        for sentence in doc.sentences:
            assert not re.match(r"^(Ltd|Co\.|Inc\.)", sentence.text), sentence.text


def test_thai_statements_are_not_clause_fragments(seed_corpus):
    thai = seed_corpus.document("th-2021-xinhua")
    # the title is a sentence of its own, apart from the first paragraph
    assert thai.sentences[0].text.startswith("Xinhua Silk Road:")
    assert thai.sentences[0].paragraph != thai.sentences[1].paragraph
    for sentence in thai.sentences:
        assert len(re.sub(r"\s", "", sentence.text)) >= 40, sentence.text
        assert not sentence.text.startswith(("และ", "ตลอดจน", "รวมทั้ง")), sentence.text
    # crfcut alone gives 26 pieces here; merged statements are far fewer but more than the title
    assert 8 <= len(thai.sentences) <= 20


def test_thai_fragment_merge_rules():
    from workbench.corpus.segment import merge_thai_fragments

    text = "ภายในงาน มีการลงนามโครงการจำนวน 20 โครงการ ครอบคลุมสาขาต่าง ๆ เช่น ปัญญาประดิษฐ์ และยานยนต์อัจฉริยะ ตลอดจนยกระดับอู๋ซีและการพัฒนาอุตสาหกรรมเกิดใหม่เชิงยุทธศาสตร์"
    lead = text.index("มีการ")
    tail = text.index("ตลอดจน")
    spans = [(0, lead - 1), (lead, tail - 1), (tail, len(text))]
    assert merge_thai_fragments(text, spans) == [(0, len(text))]
    # two full statements stay apart
    a = "เมืองอู๋ซีดำเนินโครงการสาธิตการใช้งานที่สำคัญระดับประเทศ 23 โครงการ ในหลายสาขา"
    b = "เมืองอู๋ซีได้รับการขนานนามว่าเป็นเมืองแห่ง IoT ปัจจุบันมีบริษัทมากกว่า 3,000 แห่ง"
    both = a + " " + b
    assert merge_thai_fragments(both, [(0, len(a)), (len(a) + 1, len(both))]) == [
        (0, len(a)),
        (len(a) + 1, len(both)),
    ]


def test_latin_splitter_knows_abbreviations():
    from workbench.corpus.segment import split_latin

    text = "Mr. Smith met Huawei Technologies Co., Ltd. in Wuxi on Monday. He left early."
    assert [text[s:e] for s, e in split_latin(text, "en")] == [
        "Mr. Smith met Huawei Technologies Co., Ltd. in Wuxi on Monday.",
        "He left early.",
    ]
    fr = "BEIJING, 29 novembre 2022 /CNW/ - Le sommet a été lancé le 26 novembre. M. Wang a parlé."
    assert [fr[s:e] for s, e in split_latin(fr, "fr")] == [
        "BEIJING, 29 novembre 2022 /CNW/ - Le sommet a été lancé le 26 novembre.",
        "M. Wang a parlé.",
    ]
