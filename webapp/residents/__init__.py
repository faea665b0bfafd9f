"""Residents' own account pages: register, log in and out, password, language (``auth``), and personal API
tokens (``tokens``)."""

from webapp.residents import auth, tokens

__all__ = ["auth", "tokens"]
