"""Statement clusters across every document, language and edition (``workbench cluster``).

- :mod:`.build`: pairwise evidence (encoder margins, anchors, stored MT) -> a graph of
  confident pairs -> consistent clusters (constrained average-linkage agglomeration).
- :mod:`.facts`: the numbers and dates each member states, labelled same / changed across
  editions / disagrees within an edition.
- :mod:`.report`: coverage per document and the disagreements.
- :mod:`.run`: the job (corpus, encoder, reviewed links, file).
"""
