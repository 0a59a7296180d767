"""``python -m nncheck.diagnose``: print the docs' list of diagnoses (docs/readme/diagnoses.md)."""

from nncheck.diagnose.catalogue import render_markdown

print(render_markdown(), end="")
