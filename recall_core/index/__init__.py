"""Vector index: exact faiss search that maps rows back to string ids."""
from recall_core.index.vector_index import VectorIndex

__all__ = ["VectorIndex"]
