"""The key formula of each "How it works" section, built from the stored model's config.

A page that shows the paper's formula over code that differs teaches the wrong thing (PITFALLS: "The paper's
formula over code that differs"). So each formula here is assembled from the config a model was trained with
(:meth:`~recall_core.models.base.RecallModel.used_config`: the manifest's config over the class defaults, an
``"auto"`` setting replaced by what training used) and shows exactly the terms the code optimises: YouTubeDNN's
age inputs only with ``example_age``; DSSM's denominator without the accidental hits its code masks, and the q its
code subtracts; Airbnb's booked-film term with or without negatives, and its catalogue and market negatives with
their counts per pair.

:func:`formula` returns a :class:`Formula`: LaTeX lines (for ``st.latex``) and a legend, as i18n keys with their
fields (``how.formula.*``: the app turns them into sentences in the page's language). No streamlit here.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Formula:
    """``latex``: one LaTeX string per line; ``legend``: ``(i18n key, fields)`` pairs saying what the symbols
    stand for in this model (keys under ``how.formula.``)."""

    latex: list[str]
    legend: list[tuple[str, dict]] = field(default_factory=list)


def _g(x: float) -> str:
    return f"{float(x):g}"


# --------------------------------------------------------------------------- item2vec, EGES, Airbnb


def item2vec(c: dict) -> Formula:
    window, neg = int(c["window"]), int(c["negative"])
    neg_term = (r"\prod_{k=1}^{" + str(neg) + r"}\sigma(-\mathbf{u}_{w_t}^{\top}\mathbf{v}_{w_k})")
    if c["context"] == "sequence":
        latex = (r"\frac{1}{T}\sum_{t=1}^{T}\sum_{0<|j|\le " + str(window) + r"} \log p(w_{t+j}\mid w_t),\qquad "
                 r"p(w_c\mid w_t)=\sigma(\mathbf{u}_{w_t}^{\top}\mathbf{v}_{w_c})" + neg_term)
        legend = [("how.formula.i2v_sequence", {"window": window, "negative": neg})]
    else:
        latex = (r"\frac{1}{K}\sum_{i=1}^{K}\sum_{j\ne i}^{K} \log p(w_j\mid w_i),\qquad "
                 r"p(w_j\mid w_i)=\sigma(\mathbf{u}_{i}^{\top}\mathbf{v}_{j})"
                 r"\prod_{k=1}^{" + str(neg) + r"}\sigma(-\mathbf{u}_{i}^{\top}\mathbf{v}_{k})")
        legend = [("how.formula.i2v_set", {"chunk": int(c["set_chunk"]), "negative": neg})]
    return Formula([latex], legend)


def eges(c: dict) -> Formula:
    fields = ["genres", "year", *(["popularity"] if c.get("popularity_field", True) else [])]
    n = len(fields)
    walk = (r"P(v_j\mid v_i)=\begin{cases}\dfrac{M_{ij}}{\sum_{j\in N_+(v_i)} M_{ij}} & e_{ij}\in E\\[4pt]"
            r"0 & e_{ij}\notin E\end{cases}")
    if c.get("attention", "learned") == "mean":
        h = r"H_v=\frac{1}{" + str(n + 1) + r"}\sum_{j=0}^{" + str(n) + r"} W_v^j"
        legend = [("how.formula.eges_mean", {"n": n, "fields": ", ".join(fields)})]
    else:
        h = r"H_v=\frac{\sum_{j=0}^{" + str(n) + r"} e^{a_v^j}\,W_v^j}{\sum_{j=0}^{" + str(n) + r"} e^{a_v^j}}"
        legend = [("how.formula.eges_learned", {"n": n, "fields": ", ".join(fields)})]
    return Formula([walk + r"\qquad " + h], legend)


def airbnb(c: dict) -> Formula:
    """The objective the numpy trainer minimises (its negative), per kind of pair."""
    k = int(c["negative"])
    k_market = int(round(float(c["market_share"]) * k))
    k_cat = k - k_market
    glob = bool(c.get("global_context", True))
    glob_neg = glob and bool(c.get("global_negatives", True))

    def negatives(centre: str) -> str:
        parts = []
        if k_cat:
            parts.append(r"\sum_{n=1}^{" + str(k_cat) + r"}\log\sigma(-\mathbf{v}_{c_n}'\mathbf{v}_" + centre + ")")
        if k_market:
            parts.append(r"\sum_{m=1}^{" + str(k_market) + r"}\log\sigma(-\mathbf{v}_{m_m}'\mathbf{v}_" + centre
                         + ")")
        return "+".join(parts)

    window = (r"\sum_{(l,c)\in\mathcal{D}_p}\Big[\log\sigma(\mathbf{v}_c'\mathbf{v}_l)+" + negatives("l")
              + r"\Big]")
    lines = [r"\arg\max_\theta\ " + window]
    legend = [("how.formula.airbnb_window", {"window": int(c["window"]), "k_cat": k_cat, "k_market": k_market})]
    if glob:
        booked = r"\log\sigma(\mathbf{v}_{l_b}'\mathbf{v}_l)"
        if glob_neg:
            lines.append(r"+\sum_{(l,l_b)\in\mathcal{D}_b}\Big[" + booked + "+" + negatives("l") + r"\Big]")
            legend.append(("how.formula.airbnb_global_negatives", {"k": k}))
        else:
            lines.append(r"+\sum_{(l,l_b)\in\mathcal{D}_b}" + booked)
            legend.append(("how.formula.airbnb_global_paper", {}))
    else:
        legend.append(("how.formula.airbnb_no_global", {}))
    legend.append(("how.formula.airbnb_sigma", {}))
    return Formula(lines, legend)


# --------------------------------------------------------------------------- FM, DSSM, YouTubeDNN

FM_SCORE = (r"\hat y(x)=\underbrace{w_0+\sum_u w_u x_u+\tfrac12\sum_f\Big[\big(\sum_u v_{u,f}x_u\big)^2-"
            r"\sum_u v_{u,f}^2x_u^2\Big]}_{\text{user-only}}+\underbrace{\sum_t w_t x_t+\tfrac12\sum_f\Big["
            r"\big(\sum_t v_{t,f}x_t\big)^2-\sum_t v_{t,f}^2x_t^2\Big]}_{\text{item-only}}+"
            r"\underbrace{\Big\langle\sum_u v_u x_u,\ \sum_t v_t x_t\Big\rangle}_{\text{cross}}")
FM_TOWERS = (r"\text{score}=\Big[1;\ \sum_u v_u x_u\Big]\cdot\Big[\text{item-only};\ \sum_t v_t x_t\Big]"
             r"=\hat y(x)-\text{user-only}")


def fm(c: dict) -> Formula:
    loss = c["loss"]
    if loss == "softmax":
        obj = r"\mathcal{L}=-\log\frac{e^{\hat y(u,i)}}{\sum_{j\in V}e^{\hat y(u,j)}}"
        legend = [("how.formula.fm_softmax", {})]
    elif loss == "sampled":
        obj = (r"\mathcal{L}=-\log\frac{e^{\hat y(u,i)}}{e^{\hat y(u,i)}+\sum_{j\in S,\,j\ne i}"
               r"e^{\hat y(u,j)-\log(|S|\,q_j)}},\qquad q_j\propto(n_j+1)^{" + _g(c["sample_alpha"]) + r"}")
        legend = [("how.formula.fm_sampled", {"s": int(c["num_sampled"])})]
    elif loss == "bce":
        obj = (r"\mathcal{L}=-\log\sigma\big(\hat y(u,i)\big)-\sum_{k=1}^{" + str(int(c["num_negatives"]))
               + r"}\log\sigma\big(-\hat y(u,j_k)\big)")
        legend = [("how.formula.fm_bce", {"k": int(c["num_negatives"])})]
    else:  # "auto" that no manifest resolved: say so rather than guess
        obj = r"\mathcal{L}:\ \text{auto}"
        legend = [("how.formula.auto_unresolved", {})]
    hist = int(c.get("history_len", 0))
    legend.append(("how.formula.fm_history", {"n": hist, "decay": _g(c.get("history_decay", 0.8))}) if hist
                  else ("how.formula.fm_no_history", {}))
    return Formula([FM_SCORE, FM_TOWERS, obj], legend)


def dssm(c: dict, info: dict | None = None) -> Formula:
    info = info or {}
    tau = float(info.get("temperature", c["temperature"]))
    if c["softmax"] == "full":
        lines = [r"p(i\mid u)=\frac{e^{\cos(u,v_i)/\tau}}{\sum_{j\in V}e^{\cos(u,v_j)/\tau}},\qquad "
                 r"\mathcal{L}=-\log p(i_t\mid u),\qquad \tau=" + _g(tau)]
        return Formula(lines, [("how.formula.dssm_full", {})])
    logq = bool(c.get("logq_correction", True))
    s = r"s_{bj}=\frac{\cos(u_b,v_{i_j})}{\tau}" + (r"-\log q_{i_j}" if logq else "")
    p = (r"p_{bj}=\frac{e^{s_{bj}}}{\sum_{j'=1}^{B}\mathbf{1}[\,j'=b\ \lor\ i_{j'}\ne i_b\,]\;e^{s_{bj'}}}")
    loss = r"\mathcal{L}=-\frac{1}{B}\sum_{b=1}^{B}\log p_{bb}"
    lines = [s + r",\qquad " + p + r",\qquad " + loss,
             r"\tau=" + _g(tau) + r",\quad B=" + str(int(c["batch_size"]))
             + (r",\quad q_i=\frac{n_i+1}{\sum_{k\in V}(n_k+1)}" if logq else "")]
    cap = c.get("max_examples_per_user")
    legend = [("how.formula.dssm_mask", {})]
    legend.append(("how.formula.dssm_q", {"cap": "∞" if cap is None else cap}) if logq
                  else ("how.formula.dssm_no_logq", {}))
    return Formula(lines, legend)


def youtubednn(c: dict) -> Formula:
    if c["softmax"] == "sampled":
        p = (r"P(w_t=i\mid U,C)=\frac{e^{\,v_i\cdot u}}{e^{\,v_i\cdot u}+\sum_{j\in S,\,j\ne i}"
             r"e^{\,v_j\cdot u-\log(|S|\,q_j)}},\qquad q_j\propto(n_j+1)^{" + _g(c["sample_alpha"]) + r"}")
        legend = [("how.formula.ytb_sampled", {"s": int(c["num_sampled"])})]
    elif c["softmax"] == "full":
        p = r"P(w_t=i\mid U,C)=\frac{e^{\,v_i\cdot u}}{\sum_{j\in V}e^{\,v_j\cdot u}}"
        legend = [("how.formula.ytb_full", {})]
    else:
        p = r"P(w_t=i\mid U,C):\ \text{auto}"
        legend = [("how.formula.auto_unresolved", {})]
    inputs = r"\bar h;\ \bar h_{\mathrm{recent}};\ h_{\mathrm{last}};\ \text{user}"
    age = bool(c.get("example_age", False))
    if age:
        inputs += r";\ a;\ a^2"
    u = r"u=\frac{\mathrm{DNN}([" + inputs + r"])}{\lVert\cdot\rVert}"
    lines = [p + r",\qquad " + u]
    if age:
        unit = _g(c.get("age_unit_days", 1.0))
        serve = (r"a_{\mathrm{serve}}=0" if c.get("serving_age") == "zero"
                 else r"a_{\mathrm{serve}}(u)=\log\!\big(1+(t_{\mathrm{now}}-t_{\mathrm{last}}(u))/" + unit
                 + r"\,\mathrm{d}\big)")
        lines.append(r"a=\log\!\big(1+\text{age}/" + unit + r"\,\mathrm{d}\big),\qquad " + serve)
        legend.append(("how.formula.ytb_age_zero" if c.get("serving_age") == "zero" else "how.formula.ytb_age_user",
                       {}))
    else:
        legend.append(("how.formula.ytb_no_age", {}))
    legend.append(("how.formula.ytb_history_shared" if c.get("share_history_table") else "how.formula.ytb_history",
                   {"n": int(c["history_len"]), "k": int(c["recent_k"])}))
    return Formula(lines, legend)


def formula(model_class: str, config: dict, info: dict | None = None) -> Formula:
    """The formula of ``model_class`` trained with ``config`` (the full, used config: every field present)."""
    builders = {"item2vec": item2vec, "eges": eges, "airbnb": airbnb, "fm": fm, "youtubednn": youtubednn}
    if model_class == "dssm":
        return dssm(config, info)
    if model_class not in builders:
        raise KeyError(f"no formula for model class {model_class!r}")
    return builders[model_class](config)


def for_manifest(manifest: dict, name: str | None = None) -> Formula:
    """The formula of a stored model: its manifest's config over its class's defaults, ``"auto"`` resolved
    from what training recorded (``info``)."""
    from recall_core.errors import ConfigError
    from recall_core.models.base import find_model_class

    model_class = str(manifest.get("model_class") or (name or "").split("@")[0])
    cls = find_model_class(model_class)
    if cls is None:
        raise ConfigError(f"manifest of {name or manifest.get('model')!r}: unknown model class {model_class!r}")
    info = manifest.get("info") or {}
    return formula(model_class, cls.used_config(manifest.get("config"), info), info)
