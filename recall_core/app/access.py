"""The app's side of :mod:`recall_core.access`: this server's address from Streamlit's config, the refusal every
write path asks for, and the one-line note beside a disabled control.

Write paths that ask :func:`require_write`: training (``state.run_training``: Overview's Train, the DSSM
temperature lab's Train this variant), importing vectors (``uploads.import_uploads``), re-measuring the serving
indexes (the Serving page), creating probe sets and adding probes (the Judge page's Probe sets tab). The app has no
delete control; a future one asks here too.
"""
from __future__ import annotations

import streamlit as st

from recall_core import access as _rule
from recall_core.access import Access


def current() -> Access:
    """This server's :class:`~recall_core.access.Access`, from ``server.address`` and ``$RECALL_ADMIN``."""
    return _rule.decide(st.get_option("server.address"))


def may_write() -> bool:
    """True on loopback or with ``RECALL_ADMIN=1``: training, importing and the other writes are enabled."""
    return current().may_write


def require_write(what: str) -> None:
    """:class:`~recall_core.errors.AccessError` (one line) unless this server may write; ``what``: the action, in
    words (``"training"``). Called first by every write path, so a direct call refuses as the button does."""
    _rule.require_write(current(), what)


def note(what_key: str) -> bool:
    """In viewer mode, a one-line caption saying what is disabled, why, and how an operator enables it; returns
    True when disabled (the caller disables its controls), False when writes are allowed (nothing is drawn).
    ``what_key``: an i18n key naming the action (``access.what_train``)."""
    from recall_core.app.i18n import t

    acc = current()
    if acc.may_write:
        return False
    st.caption(t("access.viewer_note", what=t(what_key), where=acc.address or t("access.every_interface"),
                 env=_rule.ADMIN_ENV))
    return True
