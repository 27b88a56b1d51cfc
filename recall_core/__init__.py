"""Vector Recall Explorer: train, store and evaluate embedding recall models on MovieLens."""
__version__ = "0.1.0"
