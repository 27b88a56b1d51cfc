"""Features derived from the training split: sessions, the session graph and its walks, item side information."""
from recall_core.features.graph import SessionGraph, session_graph, weighted_walks
from recall_core.features.sessions import Sessions, cut_sessions, sessions_of
from recall_core.features.side_info import SideInfo, side_info

__all__ = ["SessionGraph", "Sessions", "SideInfo", "cut_sessions", "session_graph", "sessions_of", "side_info",
           "weighted_walks"]
