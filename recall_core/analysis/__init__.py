"""Analyses the explorer shows, computed from stored models and the training split; no streamlit."""
