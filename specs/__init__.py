"""SymPy specs of every formula of the course notes (see nncheck.specs.registry)."""
