"""k nearest neighbours both ways, from chunked matrix products (sparse or dense rows)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # imported where used (~0.1 s at start-up)
    import scipy.sparse as sp


def _best_rows(block: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Column indices and values of the k largest entries of each row, best first.

    For small k, k passes of argmax (each a fast linear scan) beat argpartition by ~5x;
    ``block`` is overwritten.
    """
    k = min(k, block.shape[1])
    if k > 8:
        idx = np.argpartition(-block, k - 1, axis=1)[:, :k]
        sims = np.take_along_axis(block, idx, axis=1)
        order = np.argsort(-sims, axis=1, kind="stable")
        return np.take_along_axis(idx, order, axis=1), np.take_along_axis(sims, order, axis=1)
    rows = np.arange(block.shape[0])
    idx = np.empty((block.shape[0], k), dtype=np.int64)
    sims = np.empty((block.shape[0], k), dtype=block.dtype)
    for n in range(k):
        best = np.argmax(block, axis=1)
        idx[:, n] = best
        sims[:, n] = block[rows, best]
        block[rows, best] = -np.inf
    return idx, sims


def top_k(
    left: sp.csr_matrix, right: sp.csr_matrix, k: int, chunk: int
) -> tuple[np.ndarray, np.ndarray]:
    """For each row of ``left``: indices and cosines of its k best rows of ``right`` (chunked)."""
    (fwd_idx, fwd_sim), _ = top_k_both(left, right, k, chunk)
    return fwd_idx, fwd_sim


def top_k_both(
    left: sp.csr_matrix | np.ndarray, right: sp.csr_matrix | np.ndarray, k: int, chunk: int
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """k nearest neighbours both ways from one pass of chunked products ``left @ right.T``
    (sparse rows, or dense ones such as sentence embeddings).

    Returns (indices, cosines) for the rows of ``left`` among ``right`` and for the rows of
    ``right`` among ``left``; only a (chunk x len(right)) dense block is ever held.
    """
    import scipy.sparse as sp

    n_left, n_right = left.shape[0], right.shape[0]
    k_fwd, k_bwd = max(1, min(k, n_right)), max(1, min(k, n_left))
    if n_left == 0 or n_right == 0:
        return (
            (np.zeros((n_left, k_fwd), dtype=np.int64), np.zeros((n_left, k_fwd), np.float32)),
            (np.zeros((n_right, k_bwd), dtype=np.int64), np.zeros((n_right, k_bwd), np.float32)),
        )
    right_t = right.T.tocsr() if sp.issparse(right) else np.ascontiguousarray(right.T)
    fwd_idx = np.zeros((n_left, k_fwd), dtype=np.int64)
    fwd_sim = np.zeros((n_left, k_fwd), dtype=np.float32)
    bwd_idx = np.zeros((0, n_right), dtype=np.int64)  # running best, one column per right row
    bwd_sim = np.zeros((0, n_right), dtype=np.float32)
    for start in range(0, n_left, chunk):
        block = left[start : start + chunk] @ right_t
        block = np.asarray(block.toarray() if sp.issparse(block) else block, dtype=np.float32)
        rows = slice(start, start + len(block))
        col_idx, col_sim = _best_rows(np.array(block.T, order="C"), min(k_bwd, len(block)))
        fwd_idx[rows], fwd_sim[rows] = _best_rows(block, k_fwd)
        bwd_idx = np.concatenate([bwd_idx, (col_idx + start).T])
        bwd_sim = np.concatenate([bwd_sim, col_sim.T])
        if len(bwd_idx) > k_bwd:
            keep_idx, keep_sim = _best_rows(bwd_sim.T, k_bwd)
            bwd_idx = np.take_along_axis(bwd_idx.T, keep_idx, axis=1).T
            bwd_sim = keep_sim.T
    order = np.argsort(-bwd_sim.T, axis=1, kind="stable")
    return (fwd_idx, fwd_sim), (
        np.take_along_axis(bwd_idx.T, order, axis=1),
        np.take_along_axis(bwd_sim.T, order, axis=1),
    )
