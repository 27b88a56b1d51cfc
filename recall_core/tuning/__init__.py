"""Tuning every model on validation with one budget (``python -m recall_core tune``).

* :mod:`recall_core.tuning.space`: the vocabulary of search spaces (``Int``, ``Float``, ``Choice``); each model
  class declares its own (:attr:`~recall_core.models.base.RecallModel.search_space`).
* :mod:`recall_core.tuning.study`: one Optuna study per dataset and model, kept in the store's SQLite database
  (:func:`recall_core.store.tuning_db`): seeded TPE, median pruning on validation HR@10 after each epoch,
  early stopping, resumable after a crash, shared safely by several processes; the best setting retrained on the
  test split and stored with ``tuned`` in its manifest.
* :mod:`recall_core.tuning.report`: how each leaderboard row was set ("defaults" or "tuned (n trials, m min)")
  and whether the shown models had equal budgets.

This package imports no Optuna until a study is opened, and nothing of it imports streamlit.
"""
