"""The second pass: a statement restated in another edition joins its first-pass cluster."""

from __future__ import annotations

import numpy as np

from workbench.align.anchors import sentence_anchors
from workbench.align.cluster.build import ClusterConfig, DocView, build_clusters

DIM = 64
FILLERS = 6


def unit(v: np.ndarray) -> np.ndarray:
    return (v / np.linalg.norm(v, axis=-1, keepdims=True)).astype(np.float32)


def doc(name: str, lang: str, edition: int, lead: np.ndarray, text: str, rng) -> DocView:
    """A document whose sentence 0 is ``lead`` / ``text``; the rest unrelated fillers."""
    fillers = rng.normal(size=(FILLERS, DIM))
    fillers[:, :4] = 0.0  # unrelated to the statements (which live in the first three axes)
    fillers = unit(fillers) * 0.87
    fillers[:, 3] = 0.5  # one topic: every sentence shares axis 3 (cosines about 0.25)
    vectors = np.vstack([lead, fillers])
    words = ("apples", "rivers", "music", "weather", "trains", "gardens")
    texts = [text] + [f"A remark about {w} in {name}." for w in words[:FILLERS]]
    return DocView(
        id=name,
        lang=lang,
        edition=edition,
        ids=[f"{name}:{i}" for i in range(len(texts))],
        vectors=unit(vectors),
        anchors=[sentence_anchors(t, lang) for t in texts],
        texts=texts,
    )


def topical(x: float, y: float, z: float = 0.0) -> np.ndarray:
    """A statement vector (axes 0-2) with the topic share every sentence has (axis 3)."""
    v = np.zeros(DIM)
    v[:4] = 0.87 * x, 0.87 * y, 0.87 * z, 0.5
    return v


def corpus(
    cross_cosine: float = 0.1,
    later: str = "The industry reached 356.3 billion yuan.",
    editions: tuple[int, int] = (2021, 2022),
) -> list[DocView]:
    """Two editions of two documents each; sentence 0 of each edition is one statement (a
    translation pair within the edition); across editions the two statements' vectors have
    cosine ``cross_cosine``."""
    rng = np.random.default_rng(7)
    first, second = topical(1.0, 0.0), topical(cross_cosine, np.sqrt(1 - cross_cosine**2))
    earlier = "The industry reached more than 300 billion yuan."
    return [
        doc("a", "en", editions[0], first, earlier, rng),
        doc("b", "fr", editions[0], first + 0.05 * rng.normal(size=DIM), earlier, rng),
        doc("c", "en", editions[1], second, later, rng),
        doc("d", "fr", editions[1], second + 0.05 * rng.normal(size=DIM), later, rng),
    ]


def statements(built) -> list[list[str]]:
    """The clusters holding a planted statement (sentence 0), sorted; fillers left out."""
    found = [sorted(s for m in c.members for s in m.ids) for c in built]
    return sorted(c for c in found if any(s.endswith(":0") for s in c))


def clusters_of(views: list[DocView], **overrides) -> list[list[str]]:
    return statements(build_clusters(views, ClusterConfig.from_settings(**overrides)))


WHOLE = [["a:0", "b:0", "c:0", "d:0"]]
APART = [["a:0", "b:0"], ["c:0", "d:0"]]


def test_a_restated_figure_joins_the_two_editions() -> None:
    assert clusters_of(corpus()) == WHOLE


def test_the_second_pass_off_leaves_one_cluster_per_edition() -> None:
    assert clusters_of(corpus(), restate_threshold=9.0) == APART


def test_no_shared_figure_and_a_low_cosine_is_no_restatement() -> None:
    assert clusters_of(corpus(later="Twelve new partners joined the programme.")) == APART


def test_one_edition_is_never_joined_by_the_second_pass() -> None:
    assert clusters_of(corpus(editions=(2021, 2021))) == APART


def test_a_rejected_pair_keeps_the_editions_apart() -> None:
    built = build_clusters(corpus(), ClusterConfig.from_settings(), cannot_link=[("a:0", "d:0")])
    assert statements(built) == APART


def test_reviewed_sentences_are_not_joined() -> None:
    built = build_clusters(corpus(), ClusterConfig.from_settings(), frozen=["c:0", "d:0"])
    assert statements(built) == [["a:0", "b:0"]]


def test_a_cluster_joins_its_mutual_best_partner_only() -> None:
    """e/f (2022, like c/d) state a near figure too, less alike: a/b join c/d, e/f stay."""
    views = corpus()
    rng = np.random.default_rng(3)
    weaker = topical(0.05, 0.0, np.sqrt(1 - 0.05**2))
    text = "Exports reached 320 billion yuan."
    views += [
        doc("e", "en", 2022, weaker, text, rng),
        doc("f", "fr", 2022, weaker + 0.05 * rng.normal(size=DIM), text, rng),
    ]
    assert clusters_of(views) == [*WHOLE, ["e:0", "f:0"]]


def test_more_editions_than_an_integer_has_bits() -> None:
    """70 editions (one document each): the edition masks outgrow 64-bit integers."""
    rng = np.random.default_rng(11)
    views = [
        doc(f"e{n}", "en", 1950 + n, topical(1.0, 0.0), "Output was 300 billion yuan.", rng)
        for n in range(70)
    ]
    found = clusters_of(views)
    assert found and all(len(c) >= 2 for c in found)


def test_members_are_listed_as_a_timeline() -> None:
    """By edition, then document: documents a and b are of 2022 here, c and d of 2021."""
    built = build_clusters(corpus(editions=(2022, 2021)), ClusterConfig.from_settings())
    joined = next(c for c in built if len(c.members) == 4)
    assert [m.doc for m in joined.members] == ["c", "d", "a", "b"]
