"""What a dataset's columns mean: which became side information, and what its items are called.

A :class:`Schema` travels with every :class:`~recall_core.data.Dataset` (and its training view,
:class:`~recall_core.data.split.TrainData`), so the features and the models build their side
information from the *declared* columns instead of assuming MovieLens:

* ``categories``: the items have a multi-valued category column (MovieLens: the genres). It is
  the items' ``genres`` column internally (a tuple of names per item): EGES's pooled category
  field, the Airbnb model's market (the most specific category) and the towers' pooled
  category feature. ``None``: no category column was declared; those fields are left out.
* ``year``: the items have a year (MovieLens: from the title or the release date): EGES's year
  bucket and the towers' year bucket. ``None``: left out.
* ``item_fields``: other categorical item fields, columns of ``Dataset.items`` under these names
  (strings, missing values NA): one EGES side field and one item-tower feature each.
* ``user_fields``: ``(name, encoding)`` pairs, columns of ``Dataset.users``: the user towers'
  features. Encodings: ``"category"`` (each distinct value a code), ``"age_bucket"`` (MovieLens
  ages in the ML-1M age groups) and ``"zip_prefix"`` (the first character of a MovieLens zip code).
* ``domain``: ``"movies"`` (MovieLens) or ``"items"`` (any other log); ``item_noun`` /
  ``category_noun``: what a card calls its items and categories (``None``: the app's words for
  the domain). The pages read these to say "item" and "category" where the data is not movies.
* ``rating_scale``: ``(lowest, highest, step or None)`` of the ratings, or None when not declared.
* ``sources``: ``{what: column or description}`` for the Overview's "which columns became side
  information" (``categories``, ``year``, ``item:<field>``, ``user:<field>``).

Everything here is plain data (JSON round trip: :meth:`Schema.to_json` / :meth:`Schema.from_json`),
so the parsed-dataset cache stores it beside the frames.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

#: MovieLens user columns and their encodings, in the order the towers have always read them.
MOVIELENS_USER_FIELDS = (("gender", "category"), ("age", "age_bucket"), ("occupation", "category"),
                         ("zip", "zip_prefix"))
USER_ENCODINGS = ("category", "age_bucket", "zip_prefix")
DOMAINS = ("movies", "items")


@dataclass(frozen=True)
class Schema:
    """The declared meaning of a dataset's columns (see the module docstring)."""

    domain: str = "movies"
    categories: str | None = "genres"
    year: str | None = "year"
    item_fields: tuple[str, ...] = ()
    user_fields: tuple[tuple[str, str], ...] = ()
    item_noun: str | None = None
    category_noun: str | None = None
    rating_scale: tuple | None = None
    sources: dict = field(default_factory=dict, compare=False)

    def __post_init__(self):
        if self.domain not in DOMAINS:
            raise ValueError(f"domain must be one of {DOMAINS}, got {self.domain!r}")
        bad = [e for _, e in self.user_fields if e not in USER_ENCODINGS]
        if bad:
            raise ValueError(f"user field encodings must be among {USER_ENCODINGS}, got {bad[0]!r}")

    @property
    def has_categories(self) -> bool:
        return self.categories is not None

    @property
    def has_year(self) -> bool:
        return self.year is not None

    @property
    def user_field_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.user_fields)

    def side_information(self) -> list[dict]:
        """One entry per column that became side information, in display order.

        ``{"what": "categories" | "year" | "item_field" | "user_field", "name": internal name,
        "source": the column (or description) it came from, "used_by": [model names]}``.
        """
        out = []
        if self.has_categories:
            out.append({"what": "categories", "name": "genres", "source": self.sources.get("categories", self.categories),
                        "used_by": ["eges", "airbnb", "fm", "dssm"]})
        if self.has_year:
            out.append({"what": "year", "name": "year", "source": self.sources.get("year", self.year),
                        "used_by": ["eges", "fm", "dssm"]})
        for name in self.item_fields:
            out.append({"what": "item_field", "name": name, "source": self.sources.get(f"item:{name}", name),
                        "used_by": ["eges", "fm", "dssm"]})
        for name, _ in self.user_fields:
            out.append({"what": "user_field", "name": name, "source": self.sources.get(f"user:{name}", name),
                        "used_by": ["fm", "dssm", "youtubednn"]})
        return out

    def to_json(self) -> dict:
        d = asdict(self)
        d["item_fields"] = list(self.item_fields)
        d["user_fields"] = [list(p) for p in self.user_fields]
        d["rating_scale"] = list(self.rating_scale) if self.rating_scale is not None else None
        return d

    @classmethod
    def from_json(cls, d: dict) -> "Schema":
        return cls(domain=d["domain"], categories=d["categories"], year=d["year"],
                   item_fields=tuple(d["item_fields"]), user_fields=tuple((str(n), str(e)) for n, e in d["user_fields"]),
                   item_noun=d.get("item_noun"), category_noun=d.get("category_noun"),
                   rating_scale=tuple(d["rating_scale"]) if d.get("rating_scale") is not None else None,
                   sources=dict(d.get("sources", {})))


def movielens_schema(user_columns, rating_scale: tuple | None = None, sources: dict | None = None) -> Schema:
    """The schema of a MovieLens dataset (or of frames in its internal form): genres, year, and the demographics
    among ``user_columns`` (in :data:`MOVIELENS_USER_FIELDS` order)."""
    cols = set(user_columns)
    return Schema(domain="movies", categories="genres", year="year",
                  user_fields=tuple((n, e) for n, e in MOVIELENS_USER_FIELDS if n in cols),
                  rating_scale=tuple(rating_scale) if rating_scale is not None else None,
                  sources=dict(sources or {"categories": "genres", "year": "year"}))
