"""How it works: each method's mechanism, rebuilt live from the stored model (sections: recall_core.app.how)."""
import streamlit as st

from recall_core.app import claims, how, state, url, widgets
from recall_core.app.i18n import current, t
from recall_core.data.split import split_for
from recall_core.app import routing

routing.through_app()  # a fresh server's first request of this URL: handed to app.py (see routing)

ctx, ds = state.open_page(url_state={})

st.title(t("page.how"))
st.caption(t("how.caption"))

manifests = ctx.manifests()
names = [n for n in ctx.stored if isinstance(manifests.get(n), dict)
         and how.model_class_of(manifests[n], n) in how.SECTIONS]
if not names:
    st.info(t("how.no_sections"))
    st.stop()
url.seed_state("how_model", "model", names[0], valid=lambda v: v in names,
               expected=t("how.expected_model", names=", ".join(names)))
name = st.selectbox(t("how.model"), names, key="how_model")
url.remember("how_model")
url.set_url(model=name)

models, errors = ctx.models([name])
if errors:
    widgets.show_errors(errors)
    st.stop()
model = models[name]
holdout = model.manifest.get("split", "test")
split = split_for(ds, holdout)
model_class = how.model_class_of(model.manifest, name)
st.caption(t("how.trained_on", name=name, model_class=model_class, split=holdout, users=split.train.n_users,
             items=split.train.n_items, rows=len(split.train.item_idx)))
how.render(how.HowContext(name=name, output=model.output, manifest=model.manifest, dataset=ds, train=split.train,
                          lang=current(), key=f"how_{model_class}", split=split, app=ctx))

# The tutorial's claims about this method, tested on the stored models and the split (recall_core.app.claims).
CLAIMS = {
    "item2vec": ("normalisation",),
    "eges": ("sparse_items", "eges_vs_ges"),
    "airbnb": ("airbnb_context",),
    "fm": ("normalisation",),
    "dssm": ("temperature_coverage",),
    "youtubednn": ("normalisation",),
}
lang = current()
# Toggles, not expanders: an expander's body runs even when closed, and the claims evaluate stored models.
if st.toggle(t("how.claims_title"), key="how_claims"):
    for claim in CLAIMS.get(model_class, ()):
        if claim == "airbnb_context":
            claims.render_airbnb_context(lang=lang)
        else:
            getattr(claims, f"render_{claim}")(ctx.dataset_name, str(ctx.store), lang=lang)
if st.toggle(t("how.tutorial_table_title"), key="how_tutorial_table"):
    claims.render_tutorial_table(ctx.dataset_name, str(ctx.store), lang=lang)
