"""``python -m nncheck.conventions``: print the docs' table of conventions."""

from nncheck.conventions import render_markdown

print(render_markdown(), end="")
