"""Jobs that combine layers: the store (alignment files, review sessions) with the aligner.

``workbench.store`` never imports ``workbench.align`` (the aligner writes alignment files
through the store; the store knows nothing of how links are found). Whatever needs both, such
as re-aligning a file under review, lives here, above both (checked by ``lint-imports``).
"""
