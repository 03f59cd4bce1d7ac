"""The review UI (Textual): renders a review session and calls the core operations.

Importing this package imports nothing heavy; ``workbench.review.app`` imports Textual.
"""
