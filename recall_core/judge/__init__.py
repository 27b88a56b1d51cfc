"""Judge: blind, pooled human judgments of the models' recall lists, as evidence beside the offline metrics.

Everything here imports without streamlit (the page's code is :mod:`recall_core.app.judge`).

* :mod:`~recall_core.judge.probes`: probe ids (``item:<movie id>``, ``user:<user id>``) and seeded probe sets,
  stratified into popularity thirds (head, torso, tail).
* :mod:`~recall_core.judge.judges`: the one check of a judge's name.
* :mod:`~recall_core.judge.db`: the SQLite database (WAL, append-only, the dataset's fingerprint checked on open).
* :mod:`~recall_core.judge.pool`: each model's list for a probe (the app's own views and index), the pooled
  union a judge grades in a per-judge random order, and the A/B draws.
* :mod:`~recall_core.judge.metrics`: the merged-grade rule, P@K, nDCG@K and coverage (trec_eval semantics).
* :mod:`~recall_core.judge.stats`: paired bootstrap, Bradley–Terry (choix), votes needed, agreement (Krippendorff's
  α, Cohen's κ), Kendall's τ.
* :mod:`~recall_core.judge.summary`: the Results tab's and ``judgments summary``'s numbers.
* :mod:`~recall_core.judge.exchange`: CSV, TREC qrels and run files; import.
"""
