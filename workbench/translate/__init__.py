"""Machine translation: a model registry, backends behind one interface (transformers,
ctranslate2, command), resumable batch jobs over a durable cache.

Library entry points: :func:`workbench.translate.tasks.translate_corpus`,
:func:`workbench.translate.tasks.translate_file`, :func:`workbench.translate.job.translate_texts`.
Nothing in this package imports torch, transformers or ctranslate2 at module level.
"""
