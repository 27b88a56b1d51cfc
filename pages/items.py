"""`/items` as the first request of a fresh server: routed through app.py to Item neighbours (pages/item_neighbours.py).

See recall_core/app/routing.py: Streamlit's legacy pages/ scan routes that request by file name.
"""
from recall_core.app import routing

routing.through_app()
