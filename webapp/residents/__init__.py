"""Residents' own account pages: register, log in and out, password, language (``auth``), and personal API
tokens (``tokens``)."""

from webapp.residents import account_edit, auth, tokens

__all__ = ["account_edit", "auth", "tokens"]
