"""Anchors without MT: numbers, dates, names, length, and discrepancy flags (seed phrases)."""

from __future__ import annotations

import pytest

from workbench.align.anchors import (
    anchor_features,
    anchor_tokens,
    latin_names,
    length_score,
    merge_anchors,
    sentence_anchors,
)
from workbench.align.dates import extract_dates
from workbench.align.discrepancy import find_discrepancies
from workbench.align.numbers import extract_numbers, thai_scale


def keys(text: str, lang: str) -> list[str]:
    return [q.key for q in extract_numbers(text, lang)]


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("มากกว่า 3 แสนล้านหยวน", "th", ["3e+11"]),
        ("บริษัทมากกว่า 3,000 แห่ง", "th", ["3000"]),
        ("๓ แสนล้าน", "th", ["3e+11"]),
        ("ประมาณ 5 หมื่นล้าน และ 2 พันล้าน และ 4 ล้าน", "th", ["5e+10", "2e+09", "4e+06"]),
        ("plus de 1,1 million de personnes", "fr", ["1.1e+06"]),
        ("a dépassé 350 milliards de yuans", "fr", ["3.5e+11"]),
        ("soit 50 % de celle du Jiangsu et près de 25 % du total", "fr", ["50%", "25%"]),
        ("plus de 3 000 entreprises", "fr", ["3000"]),
        ("un taux de 14 % et 2,5 milliards", "fr", ["14%", "2.5e+09"]),
        ("will reach 356.3 billion yuan", "en", ["3.563e+11"]),
        ("the number of visitors has exceeded 1.1 million", "en", ["1.1e+06"]),
        ("more than 3,000 IoT companies", "en", ["3000"]),
        ("nearly 3 trillion yuan and 2.25 million 5G base stations", "en", ["3e+12", "2.25e+06"]),
        ("a 50 percent share, the 14th plan, IPv6", "en", ["50%"]),
    ],
)
def test_numbers_normalised(text, lang, expected):
    assert keys(text, lang) == expected


def test_same_quantity_across_languages():
    th = extract_numbers("3 แสนล้าน", "th")[0]
    en = extract_numbers("300 billion", "en")[0]
    fr = extract_numbers("300 milliards", "fr")[0]
    assert th.same(en) and en.same(fr)
    assert not extract_numbers("350 milliards", "fr")[0].same(
        extract_numbers("356.3 billion", "en")[0]
    )


def test_thai_scale_words_multiply():
    assert thai_scale("แสนล้าน") == 1e11
    assert thai_scale("ล้านล้าน") == 1e12
    with pytest.raises(ValueError):
        thai_scale("หยวน")


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("World IoT Expo ประจำปี 2564", "th", ["2021-??-??"]),
        ("ประจำปี 2563-2564", "th", ["2020-??-??", "2021-??-??"]),
        ("เมื่อวันที่ 26 ตุลาคม 2565", "th", ["2022-10-26"]),
        ("วันที่ ๒๖ ต.ค.", "th", ["????-10-26"]),
        ("พ.ศ. 2564", "th", ["2021-??-??"]),
        (
            "BEIJING, 29 novembre 2022 /CNW/ - lancé le 26 novembre",
            "fr",
            ["2022-11-29", "????-11-26"],
        ),
        ("le 1er janvier 2021", "fr", ["2021-01-01"]),
        ("de janvier à septembre cette année", "fr", ["????-01-??", "????-09-??"]),
        ("On October 26, the main event of the 2022 World", "en", ["????-10-26", "2022-??-??"]),
        ("October 21, 2023", "en", ["2023-10-21"]),
        ("26 October 2022", "en", ["2022-10-26"]),
        ("date 2022-11-26", "en", ["2022-11-26"]),
        ("you may come", "en", []),
    ],
)
def test_dates_normalised(text, lang, expected):
    assert [d.key for d in extract_dates(text, lang)] == expected


def test_years_are_not_counted_as_numbers():
    anchors = sentence_anchors("En 2021, l'ampleur a dépassé 350 milliards de yuans", "fr")
    assert [q.key for q in anchors.numbers] == ["3.5e+11"]
    assert [d.key for d in anchors.dates] == ["2021-??-??"]


def test_latin_names_survive_editions():
    th = latin_names("Xinhua Silk Road: มหกรรม World IoT Expo ประจำปี 2564 เปิดฉากแล้วที่เมืองอู๋ซี", "th")
    assert {"xinhua", "iot", "world", "expo"} <= th
    fr = latin_names(
        "Le sommet mondial de l'Internet des objets (IdO) de Wuxi, /CNW/ et ITU.", "fr"
    )
    assert {"wuxi", "cnw", "itu", "internet", "iot"} <= fr  # IdO is the French IoT
    assert "le" not in fr and "sommet" not in fr
    en = latin_names("On October 26, the 2022 IoT Expo opened in Wuxi with 5G.", "en")
    assert {"iot", "expo", "wuxi", "5g"} <= en
    assert "on" not in en and "october" not in en


def test_anchor_tokens_equal_across_languages():
    th = sentence_anchors("มากกว่า 3 แสนล้านหยวน ประจำปี 2564 IoT", "th")
    en = sentence_anchors("more than 300 billion yuan in 2021, IoT", "en")
    assert set(anchor_tokens(th)) == set(anchor_tokens(en)) == {"n:3e+11", "y:2021", "w:iot"}


def test_anchor_features_prefer_the_counterpart():
    th = sentence_anchors(
        "เมืองอู๋ซีได้รับการขนานนามว่าเป็นเมืองแห่ง IoT ปัจจุบันมีบริษัทที่เกี่ยวข้องกับ IoT มากกว่า 3,000 แห่ง "
        "คิดเป็นมูลค่าผลผลิตมากกว่า 3 แสนล้านหยวน",
        "th",
    )
    right = sentence_anchors(
        "Since 2009, the development of the IoT industry has reached convergence, with more than "
        "3,000 IoT companies and production value of more than 300 billion yuan.",
        "en",
    )
    wrong = sentence_anchors(
        "In 2021, the scale of the Internet of Things industry will reach 356.3 billion yuan.", "en"
    )
    good, bad = anchor_features(th, right), anchor_features(th, wrong)
    assert good["numbers"] == pytest.approx(1.0)
    assert good["names"] == 1.0
    assert bad["numbers"] == 0.0
    assert all(0.0 <= v <= 1.0 for v in (*good.values(), *bad.values()))


def test_length_score():
    assert length_score(100, 100) == 1.0
    assert length_score(100, 50) == pytest.approx(0.5)
    assert length_score(0, 10) == 0.0


def test_merge_anchors_joins_sentences():
    a = sentence_anchors("20 projects signed", "en")
    b = sentence_anchors("In 2021 in Wuxi", "en")
    merged = merge_anchors([a, b])
    assert {q.key for q in merged.numbers} == {"20"}
    assert merged.length == a.length + b.length + 1
    assert "wuxi" in merged.names


def test_discrepancy_number_flag_350_vs_356():
    fr = sentence_anchors(
        "En 2021, l'industrie a dépassé 350 milliards de yuans, soit 50 % de celle du Jiangsu.",
        "fr",
    )
    en = sentence_anchors(
        "In 2021, the scale will reach 356.3 billion yuan, accounting for one-half of Jiangsu.",
        "en",
    )
    flags = find_discrepancies(fr, en)
    assert [(f.kind, f.src, f.tgt) for f in flags] == [("number", "350 milliards", "356.3 billion")]
    assert "3.5e+11" in flags[0].detail and "3.563e+11" in flags[0].detail


def test_discrepancy_date_flag_26_novembre_vs_october_26():
    fr = sentence_anchors(
        "BEIJING, 29 novembre 2022 /CNW/ - Le sommet a été lancé le 26 novembre à Wuxi.", "fr"
    )
    en = sentence_anchors(
        "On October 26, the main event of the 2022 World Internet of Things Expo opened.", "en"
    )
    flags = find_discrepancies(fr, en)
    assert [(f.kind, f.src, f.tgt) for f in flags] == [("date", "26 novembre", "October 26")]


def test_no_flag_when_values_agree_or_are_only_omitted():
    fr = sentence_anchors("plus de 50 pays et plus de 1,1 million de personnes depuis 2010", "fr")
    en = sentence_anchors(
        "since 2010, more than 50 countries, 1.1 million visitors, 12 consecutive years", "en"
    )
    assert find_discrepancies(fr, en) == []
    th = sentence_anchors("มากกว่า 3 แสนล้านหยวน", "th")
    en2 = sentence_anchors("more than 300 billion yuan", "en")
    assert find_discrepancies(th, en2) == []


def test_half_as_a_share_matches_fifty_percent():
    fr = sentence_anchors("soit 50 % de celle du Jiangsu et près de 25 % du total national", "fr")
    en = sentence_anchors("accounting for one-half of the entire Jiangsu Province", "en")
    th = sentence_anchors("เป็นผู้นำในการกำหนดมาตรฐานสากล IoT มากกว่าครึ่งหนึ่ง", "th")
    assert [q.key for q in en.numbers] == ["50%"]
    assert [q.key for q in th.numbers] == ["50%"]
    assert anchor_features(fr, en)["numbers"] > 0
    assert find_discrepancies(fr, en) == []  # 25 % has no counterpart: omitted, not contradicted
    assert extract_numbers("in the first half of the year", "en") == []


def test_date_agreement_is_at_most_one():
    """Two source dates compatible with one English date do not make a Dice above 1."""
    src = sentence_anchors("Le sommet de 2022 s'ouvre à Wuxi le 26 novembre 2022.", "fr")
    tgt = sentence_anchors("The summit opened in Wuxi on November 26, 2022.", "en")
    from workbench.align.anchors import compare_anchors

    features, _ = compare_anchors(src, tgt)
    assert 0.0 < features["dates"] <= 1.0, features
