"""Texts whose English belongs to ``recall_core`` itself, in the reader's language.

Some sentences the app shows are written by the library, because the command
line, the manifests and the benchmarks use them too, and ``recall_core``
imports without the app: the model classes' description, view notes and variant
notes (:class:`~recall_core.models.base.RecallModel`), the sentence of a view
no class describes, imported vectors' view sentences, the recorded reason of an
``"auto"`` softmax, the pickers' labels, why a model cannot be indexed, and the
names of views and map colourings.

Each is written once. The English stays where it is (shown with the nouns in use: :func:`en_nouns` turns
the library's "film" / "genre" into the glossary's "movie" on MovieLens, "item" / "category" elsewhere); its Chinese lives in
``zh.py`` under a ``core.*`` key, and nowhere else (``en.py`` has no copy that
could go stale):

* ``core.model.<class>.description`` / ``.view.<view>`` / ``.variant.<field>.<value>``
  (``value`` is ``str()`` of the :attr:`variant_notes` key: ``sequence``, ``True``,
  ``0.0``; ``None`` is the catch-all phrase);
* ``core.<module>.<name>`` for the rest (:func:`core_texts` lists them all).

:func:`core_texts` lists every key with its English, and ``tests/app/test_i18n.py``
checks that ``zh.py`` holds exactly these ``core.*`` keys with the same
``{fields}``: a model class or a module that gains a text without its Chinese
fails there.
"""
from __future__ import annotations

from typing import Any

from recall_core.app.i18n import en_nouns, nouns, zh

PREFIX = "core."
#: A Chinese variant phrase of an ``"auto"`` setting names the switch's catalogue size with this field.
AUTO_MIN_FIELD = "min_items"


def _key(cls, *parts: Any) -> str:
    """``core.model.<class>.<part>...`` (a variant value as ``str()``: ``True``, ``0.0``, ``None``)."""
    return PREFIX + "model." + ".".join([cls.name, *map(str, parts)])


def class_texts(cls) -> dict[str, str]:
    """``{zh.py key: English}`` of every text of model class ``cls``."""
    out = {}
    if cls.description:
        out[_key(cls, "description")] = cls.description
    for view, note in cls.view_notes.items():
        out[_key(cls, "view", view)] = note
    for field, phrases in cls.variant_notes.items():
        for value, phrase in phrases.items():
            if phrase:
                out[_key(cls, "variant", field, value)] = phrase
    return out


def _library_texts() -> dict[str, str]:
    """``{zh.py key: English}`` of the library's other texts the app shows (not the model classes')."""
    from recall_core.analysis import catalogue, compare, maps, serving
    from recall_core.analysis.claims import COUNT_LABELS
    from recall_core.io.projector import IMPORTED_METRICS, VIEW_TEMPLATES
    from recall_core.models._softmax import AUTO_REASON

    out = {PREFIX + "softmax.auto_reason": AUTO_REASON,
           PREFIX + "catalogue.no_genre": catalogue.NO_GENRE,
           PREFIX + "catalogue.user_label": catalogue.USER_LABEL}
    for name, table in (("generic_view", compare.GENERIC_VIEW_NOTES), ("view_label", compare.VIEW_LABELS),
                        ("imported_view", VIEW_TEMPLATES), ("imported_metric", IMPORTED_METRICS),
                        ("serving_view", serving.VIEW_LABELS), ("serving_skip", serving.SKIP_REASONS),
                        ("map_colour", {c: c for c in maps.ITEM_COLOURINGS}),
                        ("card_count", {c: c for c in COUNT_LABELS}), ("no_user_list", compare.NO_USER_LIST)):
        out.update({f"{PREFIX}{name}.{k}": v for k, v in table.items()})
    return out


def core_texts() -> dict[str, str]:
    """``{zh.py key: English}`` of every text ``recall_core`` words in English and the app shows: every
    registered model class's (:func:`class_texts`) and the library's others. ``zh.py`` holds exactly these
    ``core.*`` keys (a test checks it)."""
    from recall_core.models.base import REGISTRY, model_names

    model_names()  # fills the registry
    out = {}
    for cls in REGISTRY.values():
        out.update(class_texts(cls))
    out.update(_library_texts())
    return out


def _zh(key: str, english: str) -> str:
    from recall_core.models._softmax import SAMPLED_SOFTMAX_MIN_ITEMS

    s = zh.STRINGS.get(key)
    if s is None:
        return english  # tests/app/test_i18n.py fails first: a library text without its Chinese
    # the nouns and an "auto" phrase's switch size are filled here; the caller fills its own fields later
    for name, word in nouns("zh").items():
        s = s.replace("{%s}" % name, word)
    return s.replace("{%s:,}" % AUTO_MIN_FIELD, f"{SAMPLED_SOFTMAX_MIN_ITEMS:,}")


def word(lang: str, name: str, key: Any, english: str) -> str:
    """A library text ``english`` (``core.<name>.<key>`` in ``zh.py``) in ``lang``, its fields left to the caller."""
    return en_nouns(english) if lang == "en" else _zh(f"{PREFIX}{name}.{key}", english)


# --------------------------------------------------------------------------- model classes


def description(lang: str, cls) -> str:
    """The model's one-line description (the Overview's model cards)."""
    return en_nouns(cls.description) if lang == "en" else _zh(_key(cls, "description"), cls.description)


def view_notes(lang: str, cls, config: dict | None = None) -> dict[str, str]:
    """``{view: sentence}`` of :meth:`RecallModel.describe_views` in ``lang`` (config fields filled)."""
    if lang == "en":
        return {view: en_nouns(note) for view, note in cls.describe_views(config).items()}
    return cls.describe_views(config, note=lambda view, english: _zh(_key(cls, "view", view), english))


def auto_reason(lang: str, why: str) -> str:
    """The recorded reason of an ``"auto"`` softmax (``"catalogue 48 items < 30,000"``) in ``lang``."""
    from recall_core.models._softmax import AUTO_REASON, parse_auto_reason

    parsed = parse_auto_reason(why)
    if lang == "en" or parsed is None:
        return why
    return word(lang, "softmax", "auto_reason", AUTO_REASON).format(**parsed)


def variant(lang: str, cls, config: dict | None = None, info: dict | None = None) -> list[str]:
    """:meth:`RecallModel.describe_variant` in ``lang``: the phrases naming the stored variant."""
    if lang == "en":
        return [en_nouns(phrase) for phrase in cls.describe_variant(config, info)]
    return cls.describe_variant(
        config, info, phrase=lambda field, key, english: _zh(_key(cls, "variant", field, key), english),
        reason=lambda why: auto_reason(lang, why))


# --------------------------------------------------------------------------- stored models


def stored_view_notes(lang: str, model) -> dict[str, str]:
    """``{view: sentence}`` of every view a stored model offers (:func:`recall_core.analysis.compare.view_notes`)
    in ``lang``: from its class, else (imported vectors) from its manifest, else the arrays' formula."""
    from recall_core.analysis.compare import GENERIC_VIEW_NOTES, view_notes as english_notes
    from recall_core.models.base import find_model_class

    if lang == "en":
        return {view: en_nouns(note) for view, note in english_notes(model).items()}
    cls = find_model_class(model.manifest.get("model_class", model.name))
    notes = manifest_view_notes(lang, model.manifest, cls)
    out = {}
    for view in model.output.views:
        _, _, metric = model.output.view_arrays(view)
        out[view] = notes.get(view) or word(lang, "generic_view", view, GENERIC_VIEW_NOTES[view]).format(
            metric=metric)
    return out


def manifest_view_notes(lang: str, manifest: dict, cls=None) -> dict[str, str]:
    """The view sentences of a stored model's manifest: its class's (config filled), or an import's own."""
    if cls is not None:
        return view_notes(lang, cls, manifest.get("config", {}))
    return imported_views(lang, manifest)


def imported_views(lang: str, manifest: dict) -> dict[str, str]:
    """``{view: sentence}`` of imported vectors: the manifest's English, or the same numbers worded in ``lang``
    (``recall_core.io.projector.VIEW_TEMPLATES``; the numbers are in the manifest's ``config`` and
    ``info["imported"]``)."""
    from recall_core.io.projector import IMPORTED_METRICS, VIEW_TEMPLATES

    recorded = dict(manifest.get("views") or {})
    if lang == "en":
        return {view: en_nouns(sentence) for view, sentence in recorded.items()}
    cfg = manifest.get("config") or {}
    summary = (manifest.get("info") or {}).get("imported") or {}
    out = {}
    for view, sentence in recorded.items():
        part = summary.get("items" if view == "similar" else "users") or {}
        metric = cfg.get("metric")
        try:
            what = word(lang, "imported_metric", metric, IMPORTED_METRICS[metric])
            out[view] = word(lang, "imported_view", view, VIEW_TEMPLATES[view]).format(what=what, dim=cfg["dim"],
                                                                                        **part)
        except (KeyError, TypeError):
            out[view] = sentence  # an older manifest without the numbers: its own sentence
    return out
