"""The floor page of the browser timings: one table and one chart, nothing else.

Served exactly like the app (``streamlit run``, same flags, same ``.streamlit/config.toml``), it measures what
Streamlit itself costs on this machine: the page load, the websocket session, one script run, one dataframe
and one plotly figure drawn. No page of the app can settle faster. Its one interaction (the K radio) reruns the
script and redraws both.
"""
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

st.title("Floor")
k = st.radio("K", [5, 10, 20, 50], index=1, horizontal=True, key="floor_k")
rng = np.random.default_rng(0)
df = pd.DataFrame({"rank": np.arange(1, k + 1), "title": [f"Movie {i}" for i in range(k)],
                   "score": np.sort(rng.random(k))[::-1]})
st.dataframe(df, hide_index=True)
fig = go.Figure(go.Bar(x=df["title"], y=df["score"]))
fig.update_layout(height=360, margin=dict(t=30, b=10, l=10, r=10))
st.plotly_chart(fig, key="floor_chart")
