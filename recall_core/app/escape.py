"""Text from data files shown literally in Streamlit markdown.

A leaf module (it imports nothing of the app), so any app module can escape a title: the widgets, the pages and
the dataset chooser (:mod:`recall_core.app.datasets`, which the sidebar in :mod:`recall_core.app.state` calls).
"""
from __future__ import annotations

import re


def md_escape(text: str) -> str:
    """``text`` shown literally in markdown: titles from user files never become links, emphasis or HTML."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$:])", r"\\\1", str(text))
