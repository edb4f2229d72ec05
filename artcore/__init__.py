"""Artcore: an AI studio for artists — library, embeddings, style transfer and generation."""

__version__ = "0.1.0"
