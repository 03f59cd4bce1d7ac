"""Terminal cell widths (Thai), the action registry, and what the UI imports at start-up."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from rich.cells import cell_len

from workbench.review.actions import ACTIONS, active_keys, unknown_ids
from workbench.review.widgets import fit

ROOT = Path(__file__).resolve().parents[2]
THAI = "เมืองอู๋ซีได้รับการขนานนามว่าเป็นเมืองแห่ง IoT ปัจจุบันมีบริษัทที่เกี่ยวข้อง"


def test_fit_counts_terminal_cells_not_code_points() -> None:
    assert len(THAI) > cell_len(THAI)  # combining vowels and tone marks take no cell
    for width in (5, 20, 40, 200):
        assert cell_len(fit(THAI, width)) == width
    assert fit(THAI, 200).rstrip() == THAI  # short enough: padded, not cut
    assert fit("a\nb   c", 6) == "a b c "


def test_action_registry_ids_are_unique_and_keymap_applies() -> None:
    ids = [a.id for a in ACTIONS]
    assert len(ids) == len(set(ids))
    keys = active_keys({"approve": "enter, a"})
    assert keys["approve"] == ["enter", "a"] and keys["reject"] == ["x"]
    assert unknown_ids({"aprove": "a", "undo": "z"}) == ["aprove"]


def test_review_ui_imports_no_torch_or_transformers() -> None:
    code = (
        "import sys, workbench.review.app, workbench.cli.review\n"
        "print(','.join(m for m in ('torch', 'transformers') if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert result.stdout.strip() == ""
