"""The keymap refuses conflicts, reserved keys and unknown names, naming the ids (issue 11, 18)."""

from __future__ import annotations

import pytest
from textual.keys import _normalize_key_list

from workbench.errors import ConfigError
from workbench.review.actions import ACTIONS, keymap_problems, normalize_key
from workbench.review.app import make_app
from workbench.settings import ReviewSettings


def test_the_default_keymap_is_clean() -> None:
    assert keymap_problems({}) == []


@pytest.mark.parametrize(
    ("keymap", "expected"),
    [
        ({"approve": "q"}, "'q' is bound to 'approve' and 'quit'"),
        ({"approve": "enter,a"}, "'enter' is bound to 'approve' and 'details'"),
        ({"approve": "?"}, "'question_mark' is bound to 'approve' and 'help'"),
        ({"reject": "ctrl+q"}, "'reject': 'ctrl+q' is reserved"),
        ({"reject": "ctrl-x"}, "'reject': 'ctrl-x' is not a key name"),
        ({"reject": "contrl+x"}, "'reject': 'contrl+x' is not a key name"),
        ({"reject": "entr"}, "'reject': 'entr' is not a key name"),
        ({"flag": " , "}, "'flag' has no key"),
        ({"aprove": "z"}, "unknown action id 'aprove'"),
    ],
)
def test_each_problem_names_the_ids(keymap, expected) -> None:
    assert any(expected in problem for problem in keymap_problems(keymap))


def test_moving_the_other_action_too_is_fine() -> None:
    assert keymap_problems({"approve": "enter,a", "details": "i", "quit": "ctrl+x,Q"}) == []


@pytest.mark.parametrize(
    "key", ["a", "A", "?", "/", "ctrl+j", "f12", "pagedown", "shift+up", "é", "plus"]
)
def test_key_names_agree_with_textual(key) -> None:
    assert normalize_key(key) == _normalize_key_list(key)


def test_every_default_key_is_a_textual_key() -> None:
    for action in ACTIONS:
        for key in action.keys.split(","):
            assert normalize_key(key) is not None, (action.id, key)


def test_the_review_refuses_a_conflicting_keymap(seed_alignments, seed_corpus) -> None:
    settings = ReviewSettings(keymap={"approve": "q"})
    with pytest.raises(ConfigError, match="'q' is bound to 'approve' and 'quit'"):
        make_app(seed_alignments["fr"], corpus=seed_corpus, settings=settings, mt={})
    # nothing was locked: a good keymap opens the same file right after
    app = make_app(seed_alignments["fr"], corpus=seed_corpus, mt={})
    app.session.release()
