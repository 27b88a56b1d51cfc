"""`/judge` as the first request of a fresh server: routed through app.py to Judge (pages/judging.py).

See recall_core/app/routing.py: Streamlit's legacy pages/ scan routes that request by file name.
"""
from recall_core.app import routing

routing.through_app()
