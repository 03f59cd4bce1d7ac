"""One BLAS thread for code that runs many small matrix products.

Threads fighting over a shared machine's cores cost more than they give on small products
(clusters 20 x 200 sentences: 2.8 s with one thread vs 9-18 s with the default at load 10;
Bible bead cosines 4.6 s -> 1.1 s). threadpoolctl is a declared dependency.
"""

from __future__ import annotations

from contextlib import AbstractContextManager


def one_blas_thread() -> AbstractContextManager[object]:
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")
