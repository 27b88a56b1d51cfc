"""Who may write: the one rule for a demo served on a network (imports without streamlit).

**Viewer mode.** A server that listens beyond loopback (``server.address`` unset, ``0.0.0.0``, ``::``, a LAN
address or host name) is a demo on a network: anyone who reaches it may look at every page and judge on the Judge
page, but nothing that writes the models or organises the judging — training, importing vectors, deleting,
re-measuring the serving indexes, creating probe sets or adding probes — runs there, unless the operator started
it with ``RECALL_ADMIN=1``. A server on loopback (``localhost``, ``127.0.0.0/8``, ``::1``: ``make run``) is one
person's desktop, and everything is enabled, as before.

Every write path of the app asks :func:`require_write` (through :mod:`recall_core.app.access`, which reads the
address from Streamlit's config) before it writes, so a function called directly refuses as the disabled button
does. Judging is not in this rule: judgments are what viewers are there for; their names and write rate are
checked by :mod:`recall_core.judge.judges`.

Caches that a view fills from the stored vectors (a UMAP map, the first serving measurement, a reference row's
metrics) are not writes in this sense: they are derived, checked against the vectors' digest when read, and
change nothing a page shows; a viewer who opens a page first fills them for everyone after.
"""
from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass

from recall_core.errors import AccessError, UsageError

ADMIN_ENV = "RECALL_ADMIN"
#: values of ``RECALL_ADMIN`` that enable writes beyond loopback, and those that leave them disabled
ADMIN_ON = ("1", "true", "yes", "on")
ADMIN_OFF = ("", "0", "false", "no", "off")
LOOPBACK_NAMES = ("localhost",)


def is_loopback(address: str | None) -> bool:
    """True when a server bound to ``address`` is reachable only from this machine.

    ``None`` or ``""`` is Streamlit's default, every interface: not loopback. ``localhost``, ``127.0.0.0/8`` and
    ``::1`` are; any other name or address (``0.0.0.0``, ``::``, ``192.168.1.5``, ``demo.example``) is not.
    """
    text = str(address or "").strip().strip("[]").lower()
    if not text:
        return False
    if text in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(text).is_loopback
    except ValueError:
        return False


def admin_enabled(environ=None) -> bool:
    """``$RECALL_ADMIN`` read strictly: ``1``/``true``/``yes``/``on`` → True; unset, ``0``/``false``/``no``/``off``
    → False; any other value is a :class:`UsageError` naming it (an operator's typo must not pass silently)."""
    value = (os.environ if environ is None else environ).get(ADMIN_ENV)
    text = "" if value is None else str(value).strip().lower()
    if text in ADMIN_ON:
        return True
    if text in ADMIN_OFF:
        return False
    raise UsageError(f"{ADMIN_ENV}={value!r}: use {ADMIN_ENV}=1 to enable writes on a server beyond localhost, "
                     f"or leave it unset (or 0) for viewer mode")


@dataclass(frozen=True)
class Access:
    """What this server may do: ``address`` (as configured; ``""``: every interface), ``loopback``, ``admin``
    (``RECALL_ADMIN`` set) and the result, ``may_write``."""

    address: str
    loopback: bool
    admin: bool

    @property
    def may_write(self) -> bool:
        return self.loopback or self.admin

    @property
    def where(self) -> str:
        """The address as a reader knows it: ``every interface`` for the default."""
        return self.address or "every interface"


def decide(address: str | None, environ=None) -> Access:
    """The :class:`Access` of a server bound to ``address`` with the environment ``environ`` (default: ours).
    An invalid ``RECALL_ADMIN`` counts as unset here (viewer mode, the safe side); :func:`admin_enabled` names it."""
    try:
        admin = admin_enabled(environ)
    except UsageError:
        admin = False
    return Access(str(address or "").strip(), is_loopback(address), admin)


def require_write(access: Access, what: str) -> None:
    """:class:`AccessError` (one line: what, why, how to enable) unless ``access`` may write."""
    if not access.may_write:
        raise AccessError(f"viewer mode: {what} is disabled because this server listens on {access.where}, beyond "
                          f"localhost; the operator enables it by starting the app with {ADMIN_ENV}=1 "
                          "(or serving on localhost)")


__all__ = ["ADMIN_ENV", "Access", "admin_enabled", "decide", "is_loopback", "require_write"]
