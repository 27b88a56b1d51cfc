"""How it works: each method's mechanism, rebuilt live from the stored model (sections: recall_core.app.how)."""
import streamlit as st

from recall_core.app import how, state, url, widgets
from recall_core.app.i18n import current, t
from recall_core.data.split import split_for

ctx = state.page_context(url_state={})
ds = state.require_dataset(ctx)
state.require_models(ctx)

st.title(t("how.title"))
st.caption(t("how.caption"))

manifests = ctx.manifests()
names = [n for n in ctx.stored if isinstance(manifests.get(n), dict)
         and how.model_class_of(manifests[n], n) in how.SECTIONS]
if not names:
    st.info(t("how.no_sections"))
    st.stop()
url.seed_state("how_model", "model", names[0], valid=lambda v: v in names,
               expected=f"a stored model with a section ({', '.join(names)})")
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
