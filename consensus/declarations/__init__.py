"""Declarations: negotiated texts kept as numbered versions, their diffs, brackets and amendments."""
