"""The one registry of review actions: it feeds the key bindings, the footer and the help screen.

Each action has a binding id: ``[review] keymap`` in ``workbench.toml`` maps ids to keys, e.g.
``keymap = {approve = "enter,a", merge-next = "ctrl+j"}`` (Textual's keymap mechanism).
No Textual import here, so the registry is usable (and tested) without the UI.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class ReviewAction:
    id: str  # binding id (the keymap key)
    keys: str  # default keys, comma-separated Textual key names
    action: str  # the app's action_<name>
    description: str  # short, for the footer
    help: str  # one line, for the help screen
    show: bool = True  # shown in the footer
    group: str = "Decide"


ACTIONS: tuple[ReviewAction, ...] = (
    ReviewAction(
        "approve", "a", "approve", "Approve", "approve the link and go to the next pending one"
    ),
    ReviewAction(
        "reject",
        "x",
        "reject",
        "Reject",
        "reject the link (a negative decision) and go to the next pending one",
    ),
    ReviewAction(
        "flag",
        "b",
        "flag",
        "Flag",
        "flag for a second opinion (again: back to auto) and go to the next pending one",
        show=False,
    ),
    ReviewAction("undo", "u,ctrl+z", "undo", "Undo", "undo the last action (one key = one step)"),
    ReviewAction("redo", "ctrl+r,ctrl+y", "redo", "Redo", "redo what was undone"),
    ReviewAction(
        "merge-next", "m", "merge_next", "Merge", "merge with the next link", group="Correct"
    ),
    ReviewAction(
        "merge-previous",
        "M",
        "merge_previous",
        "Merge prev",
        "merge with the previous link",
        show=False,
        group="Correct",
    ),
    ReviewAction(
        "split",
        "s",
        "split",
        "Split",
        "split a many-sided link (at its merge point, else pairwise)",
        group="Correct",
    ),
    ReviewAction(
        "relink",
        "r",
        "relink",
        "Re-link",
        "pick other English sentence(s), ranked by chrF, with search",
        group="Correct",
    ),
    ReviewAction(
        "edit",
        "e",
        "edit",
        "Edit",
        "correct a sentence's text (source or English) in a modal",
        group="Correct",
    ),
    ReviewAction(
        "realign",
        "R",
        "realign",
        "Re-align",
        "re-align the links not yet reviewed (reviewed ones stay as anchors)",
        show=False,
        group="Correct",
    ),
    ReviewAction("down", "j,down", "move(1)", "Down", "next link", show=False, group="Move"),
    ReviewAction("up", "k,up", "move(-1)", "Up", "previous link", show=False, group="Move"),
    ReviewAction(
        "page-down",
        "pagedown,space",
        "page(1)",
        "Page down",
        "one screen down",
        show=False,
        group="Move",
    ),
    ReviewAction(
        "page-up", "pageup", "page(-1)", "Page up", "one screen up", show=False, group="Move"
    ),
    ReviewAction("first", "home", "jump('first')", "First", "first link", show=False, group="Move"),
    ReviewAction("last", "end", "jump('last')", "Last", "last link", show=False, group="Move"),
    ReviewAction(
        "next-pending",
        "n",
        "pending(1)",
        "Next pending",
        "next pending (auto or flagged) link",
        show=False,
        group="Move",
    ),
    ReviewAction(
        "previous-pending",
        "N",
        "pending(-1)",
        "Prev pending",
        "previous pending link",
        show=False,
        group="Move",
    ),
    ReviewAction(
        "search",
        "slash",
        "search",
        "Search",
        "regex search, either side (src: / en: / id: to narrow); empty repeats",
        group="Move",
    ),
    ReviewAction(
        "filter",
        "f",
        "filter",
        "Filter",
        "filter by status, score band, flags or link type",
        group="Move",
    ),
    ReviewAction("goto", "g", "goto", "Go to", "go to link number", group="Move"),
    ReviewAction(
        "details",
        "enter",
        "details",
        "Whole link",
        "the current link in full, scrollable (when the panel cuts it)",
        show=False,
        group="View",
    ),
    ReviewAction(
        "toggle-mt",
        "t",
        "toggle_mt",
        "MT",
        "show or hide the machine translation under the source",
        show=False,
        group="View",
    ),
    ReviewAction(
        "unlinked",
        "U",
        "unlinked",
        "Unlinked EN",
        "the English sentences that no link uses",
        show=False,
        group="View",
    ),
    ReviewAction("help", "question_mark,f1", "help", "Help", "this screen", group="View"),
    ReviewAction("quit", "q", "quit_review", "Quit", "save a snapshot and quit", group="View"),
)

BY_ID = {action.id: action for action in ACTIONS}


def key_label(key: str) -> str:
    """How a Textual key name is written for people."""
    names = {
        "question_mark": "?",
        "slash": "/",
        "pagedown": "PgDn",
        "pageup": "PgUp",
        "space": "Space",
    }
    return names.get(key, key)


def active_keys(keymap: dict[str, str] | None = None) -> dict[str, list[str]]:
    """Keys per action id once ``keymap`` (id -> comma-separated keys) is applied."""
    keymap = keymap or {}
    return {
        a.id: [k.strip() for k in keymap.get(a.id, a.keys).split(",") if k.strip()] for a in ACTIONS
    }


def unknown_ids(keymap: dict[str, str]) -> list[str]:
    return sorted(set(keymap) - set(BY_ID))


# -- keymap validation (no Textual import: the rules of Textual's key names, restated) -------

MODIFIERS = ("ctrl", "shift", "alt", "meta", "super", "hyper")
NAMED_KEYS = frozenset(
    ["escape", "enter", "return", "tab", "space", "backspace", "delete", "insert", "home"]
    + ["end", "pageup", "pagedown", "up", "down", "left", "right"]
    + [f"f{n}" for n in range(1, 25)]
)
# Textual's names for a few characters whose Unicode names are long
_KEY_NAME_REPLACEMENTS = {
    "solidus": "slash",
    "reverse_solidus": "backslash",
    "commercial_at": "at",
    "hyphen_minus": "minus",
    "plus_sign": "plus",
    "low_line": "underscore",
}
# keys the application itself binds (Textual): a keymap may not take them
RESERVED_KEYS = {"ctrl+q": "quits the program", "ctrl+c": "quits the program"}


def _character_key(character: str) -> str:
    if character.isalnum():
        return character
    name = unicodedata.name(character, "").lower().replace("-", "_").replace(" ", "_")
    return _KEY_NAME_REPLACEMENTS.get(name, name)


def normalize_key(key: str) -> str | None:
    """The canonical Textual name of ``key`` (``?`` -> ``question_mark``, ``Ctrl+A`` stays
    case-sensitive as Textual is), or ``None`` when Textual would never produce it."""
    *mods, base = key.split("+") if key != "+" else ["+"]
    if any(mod not in MODIFIERS for mod in mods) or not base:
        return None
    if len(base) == 1:
        base = _character_key(base)
        if not base:
            return None
    elif base not in NAMED_KEYS and base not in _KEY_NAME_REPLACEMENTS.values():
        try:
            character = unicodedata.lookup(base.replace("_", " "))
        except KeyError:
            return None
        if _character_key(character) != base:
            return None
    return "+".join([*mods, base])


def keymap_problems(keymap: dict[str, str]) -> list[str]:
    """Everything wrong with a ``[review] keymap``, each naming the action ids: unknown ids,
    key names Textual cannot produce, a key on two actions, a reserved key, no key at all."""
    problems = [f"unknown action id {name!r}" for name in unknown_ids(keymap)]
    owners: dict[str, list[str]] = {}
    for action_id, keys in active_keys(keymap).items():
        if not keys:
            problems.append(f"{action_id!r} has no key")
        for key in keys:
            canonical = normalize_key(key)
            if canonical is None:
                problems.append(f"{action_id!r}: {key!r} is not a key name")
            elif canonical in RESERVED_KEYS:
                problems.append(f"{action_id!r}: {key!r} is reserved ({RESERVED_KEYS[canonical]})")
            else:
                ids = owners.setdefault(canonical, [])
                if action_id not in ids:
                    ids.append(action_id)
    for key, ids in owners.items():
        if len(ids) > 1:
            problems.append(f"{key!r} is bound to {' and '.join(repr(i) for i in ids)}")
    return problems
