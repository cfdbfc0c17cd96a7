"""Declarations: negotiated texts in numbered versions, their diffs, brackets and amendments."""
