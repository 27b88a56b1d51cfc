"""English texts of the app (the reference catalogue: every key here must exist in zh.py too).

Conventions (tests/app/test_i18n.py checks them): a text names movies and genres only through the noun
placeholders ``{_item}``, ``{_items}``, ``{_Item}``, ``{_an_item}``, ``{_genre}``, ``{_genres}`` ...
(:data:`recall_core.app.i18n.glossary.NOUNS`); it uses the glossary's word for each term ("co-occurs with",
never "appears near"); a literal brace is doubled (``%{{x}}`` in a plotly hover template). Texts whose English
belongs to ``recall_core`` (model classes, the library's sentences) are not copied here: their Chinese is in
``zh.py`` under ``core.*`` (:mod:`recall_core.app.i18n.core_texts`).
"""

STRINGS: dict[str, str] = {
    # ------------------------------------------------------------------ How it works
    "how.caption": ("Each method's mechanism, rebuilt live from the stored model and the training split it was "
                    "trained on: the key formula, the idea, one view of the mechanism on the data, what to look for "
                    "(checked on the data) and how this project differs from the tutorial."),
    "how.model": "Model",
    "how.no_sections": "None of the stored models has a section here yet (item2vec, EGES, Airbnb, FM, DSSM, YouTubeDNN).",
    "how.missing": "The section for {model} is not written yet.",
    "how.look_for": "What to look for",
    "how.differs": "How this differs from the tutorial",
    "how.trained_on": "Stored model `{name}` ({model_class}), trained on the {split} split: {users:,} users, {items:,} {_items}, {rows:,} training interactions.",

    # Item2Vec
    "how.item2vec.idea": ("Item2Vec treats each user's history as a *sentence* and each {_item} as a *word*: skip-gram "
                          "learns to predict, from a centre {_item}, the {_items} around it, with a few random {_items} as "
                          "negatives. Every {_item} gets two vectors: an input vector **u** (as a centre) and an output "
                          "vector **v** (as a context); **u · v** is the score the model was trained on."),
    "how.item2vec.view_sequence": "sequence, window {window}",
    "how.item2vec.view_set": "set (every other {_item} is context)",
    "how.item2vec.sentence_head": "User {user}'s history ({n} {_items}) as a sentence; view: {view}",
    "how.item2vec.role_centre": "centre",
    "how.item2vec.role_context": "context (distance {d})",
    "how.item2vec.role_outside": "outside the window",
    "how.item2vec.pairs_head": "Contexts of this centre over all histories: {n:,} pairs with {contexts:,} {_items}",
    "how.item2vec.hover_pairs": "%{{customdata[0]}} pairs from %{{customdata[1]}} users<br>%{{x:.1f}} used per epoch",
    "how.item2vec.axis_expected": "pairs used per epoch (expected)",
    "how.item2vec.col_similar": "Similar: cos(l2n(u)+l2n(v))",
    "how.item2vec.col_cooccur": "Co-occurs with: u · v",
    "how.item2vec.lists_head": "The {_item}'s two lists",
    "how.item2vec.lists_caption": ("Left: {_items} whose vectors point the same way (they appear in similar contexts). "
                                   "Right: the trained score, this {_item}'s input vector against every output vector "
                                   "({_items} that co-occur with it within its window, before or after it)."),
    "how.item2vec.look_shared": "The two lists share **{shared} of {k}** {_items} here: \"similar\" and \"co-occurs with\" are different questions.",
    "how.item2vec.look_pairs": ("**{n} of the {k}** {_items} of the \"co-occurs with\" list are among the 20 {_items} most often "
                                "in this {_item}'s window ({any} of {k} are in its window at all): the trained score "
                                "follows the pair counts."),
    "how.item2vec.look_vectors": ("The pair counts are weighted: gensim shrinks the window at random for every centre, so "
                                  "{_an_item} at distance d counts with probability (window − d + 1) / window."),
    "how.item2vec.diff_context_sequence": ("**A sequence with window {window}, not a set.** The paper and the tutorial "
                                           "treat a history as an unordered set (every other {_item} is context). On "
                                           "ML-100K the sequence view scores higher on U2I HR@10 (validation 0.231 vs "
                                           "0.161) and the set view on I2I (0.137 vs 0.110; BENCHMARKS.md, ablations)."),
    "how.item2vec.diff_context_set": ("**A set, as in the paper and the tutorial:** a history is shuffled every epoch and "
                                      "cut into chunks of at most {chunk} {_items}; every other {_item} of a chunk is context."),
    "how.item2vec.diff_set_window": "The stored gensim window that spans a whole chunk is {window}.",
    "how.item2vec.diff_negatives_uniform": ("**Uniform negatives** (ns_exponent 0), not gensim's default ∝ frequency^0.75: "
                                            "U2I HR@10 on validation 0.231 vs 0.188 (BENCHMARKS.md, ablations)."),
    "how.item2vec.diff_negatives_power": "Negatives drawn ∝ frequency^{e:g}.",
    "how.item2vec.diff_user": ("**The user vector is the mean input vector of the last {n} {_items}**, scored against the "
                               "output vectors with the inner product: the skip-gram's own \"co-occurs with\" score."),
    "how.item2vec.diff_similar": ("\"Similar\" uses l2n(u) + l2n(v) rather than input vectors alone, which put rarely "
                                  "seen {_items} next to everything."),
    "how.item2vec.diff_skipgram": ("**Follows the tutorial's text over its code:** skip-gram (sg=1), not the code's CBOW "
                                   "default; min_count 1 (no {_item} silently dropped), one worker (reproducible), "
                                   "string keys, {epochs} epochs."),

    # EGES
    "how.eges.idea": ("EGES builds a directed graph from users' sessions (histories cut at gaps over {gap} minutes): an "
                      "edge i → j counts how often j follows i. Weighted random walks on that graph are the sentences of "
                      "a skip-gram, and each {_item}'s vector H_v mixes its id embedding with its side information "
                      "({_genres}, year, popularity) with attention weights learned per {_item}."),
    "how.eges.depth": "Ego network depth",
    "how.eges.tab_graph": "Session graph",
    "how.eges.tab_walks": "Weighted walks",
    "how.eges.tab_att": "H_v from its fields",
    "how.eges.hover_node": "out-weight %{{customdata[1]}} · in-weight %{{customdata[2]}} (in this drawing)",
    "how.eges.ego_caption": ("{nodes} {_items} and {edges} directed edges (each {_item} expanded to its 8 heaviest "
                             "neighbours). Edge width = transition count; arrows point the way users went inside "
                             "sessions of gaps up to {gap} minutes."),
    "how.eges.no_edges": "This {_item} has no edge in the session graph: it was never next to another {_item} within a session.",
    "how.eges.first_step_head": "First step: {n} possible next {_items}, P = M_ij / Σ M_ij",
    "how.eges.walks_head": "{n} walks of length {length} sampled from this {_item} (the stored walk settings, seed 0)",
    "how.eges.walks_caption": ("Training samples {wpn} walks from every node and takes (centre, context) pairs within "
                               "{window} positions on both sides. — marks a dead end (no out-edge)."),
    "how.eges.recompose": "Σ a_v^j W_v^j recomposes the stored H_v to within {err:.1e} (max absolute difference).",
    "how.eges.recompose_derived": ("This stored model does not keep its id table, so the id part is H_v minus the side "
                                   "parts (retrain EGES to check the sum independently)."),
    "how.eges.cold_item": "This {_item} was never a walk centre: the stored vector is its cold-start vector, not H_v.",
    "how.eges.look_first_step": ("From here a walk has {n} possible first steps; the heaviest edge, to {title}, is "
                                 "taken with probability {p:.2f}, not 1/{n}."),
    "how.eges.look_dead_end": "This {_item} has no out-edge: every walk from it stops at once.",
    "how.eges.look_walks": "**{ok} of {n}** walk steps follow an edge of the session graph (a walk never jumps).",
    "how.eges.look_att": "The largest attention weight here is on **{field}** ({w:.2f}); the weights sum to 1.",
    "how.eges.diff_graph": ("**A directed, weighted graph** ({nodes:,} nodes, {edges:,} edges), walked with P = M_ij / "
                            "Σ M_ij; the tutorial's code builds an undirected nx.Graph and steps uniformly."),
    "how.eges.diff_formula": ("**Follows the paper's text:** the walk formula's second case is \"0 if e_ij ∉ E\" (the "
                              "tutorial's formula has a typo there); a walk never steps off an edge (checked above)."),
    "how.eges.diff_popularity": ("**Popularity is a side field** (a bucket of the training count), not in the tutorial: "
                                 "U2I HR@10 on validation 0.178 with it vs 0.169 without (BENCHMARKS.md, ablations)."),
    "how.eges.diff_no_popularity": "Side fields: {_genres} and year only, as in the tutorial.",
    "how.eges.diff_cold_attention": ("**Cold start is attention-weighted** over {_genre} and year (the fields' mean learned "
                                     "attention); the tutorial takes a plain mean ({_genre} overlap@10 of the cold-start "
                                     "neighbours on validation 0.656 vs 0.611)."),
    "how.eges.diff_cold_mean": "Cold start is the plain mean of the side-information vectors, as in the tutorial.",
    "how.eges.diff_user": ("The user vector is the mean H of the last {n} known {_items}, scored against the context "
                           "vectors Z with the inner product."),

    # Airbnb
    "how.airbnb.idea": ("Airbnb cuts each user's clicks into sessions at gaps over {gap} minutes and runs skip-gram "
                        "inside them. Two additions: the session's *booked* listing is a context for every listing of "
                        "the session however far apart, and some negatives come from the same *market*, so the model "
                        "must separate listings within a market, not only across markets."),
    "how.airbnb.legend_film": "{_item}",
    "how.airbnb.legend_booked": "booked",
    "how.airbnb.axis_session": "session",
    "how.airbnb.no_history": "This user has no training interactions.",
    "how.airbnb.timeline_head": "{sessions} sessions (gaps over {gap} minutes), {booked} with a booked {_item} ★",
    "how.airbnb.session_label": "Session {i}: {n} {_items} {booked}",
    "how.airbnb.pick_session": "Session",
    "how.airbnb.session_head": "The session's {n} {_items}, in time order",
    "how.airbnb.pairs_head": "{window} window pairs (window {w}, both directions) and {glob} global-context pairs",
    "how.airbnb.neg_head": "Negatives for {title} (market: {market}), {n} from each source",
    "how.airbnb.neg_caption": ("Training draws {k_market} from the market and {k_cat} from the catalogue per pair "
                               "(market share {share:g}); here {n} of each are drawn to compare them (seed 0)."),
    "how.airbnb.neg_market": "**Same market**",
    "how.airbnb.neg_catalogue": "**Whole catalogue**",
    "how.airbnb.look_sessions": ("This user has {sessions} sessions, {booked} booked; over the training split "
                                 "{total:,} of {all_sessions:,} sessions have a booking."),
    "how.airbnb.look_global": ("The {glob} global-context pairs tie every {_item} of the session to its booked {_item}, "
                               "however far apart they are: the window alone would miss the distant ones."),
    "how.airbnb.look_no_booking": "This session has no booked {_item}, so it adds window pairs only (an exploratory session).",
    "how.airbnb.look_market": ("**{m} of {n}** market negatives share the centre's market, against **{c} of {n}** "
                               "catalogue negatives ({share:.0%} of trained {_items} are in that market)."),
    "how.airbnb.rule_top_rated": "a session's highest-rated {_item}, if rated at least {r:g} (the latest of ties)",
    "how.airbnb.rule_ends_session": "a session's last {_item}, if rated at least {r:g} (a booking ends the session)",
    "how.airbnb.diff_booking": ("**MovieLens has no bookings or markets.** Here a booking is {rule}; a market is a "
                                "{_item}'s most specific {_genre} (the one the fewest {_items} list)."),
    "how.airbnb.diff_market": ("**Same-market negatives: {share:g} of each pair's negatives** ({k} of {neg}). On "
                               "ML-100K they help I2I a little (validation 0.154 vs 0.147 without) and hurt U2I "
                               "(0.204 vs 0.213), the opposite of the paper's claim for U2I (BENCHMARKS.md, ablations)."),
    "how.airbnb.diff_global": ("The booked {_item} as global context: I2I HR@10 on validation 0.154 with it vs 0.143 "
                               "without (BENCHMARKS.md, ablations)."),
    "how.airbnb.diff_no_global": "This model was trained without the booked-{_item} global context.",
    "how.airbnb.diff_no_code": ("The tutorial describes Airbnb but gives no code; the trainer here is numpy (gensim "
                                "cannot add the global-context term), with exact gradients checked in the tests."),
    "how.airbnb.diff_user": ("The user vector is the mean input vector of the last {n} known {_items} against the "
                             "output vectors (Airbnb's paper builds user-type embeddings instead)."),

    # ------------------------------------------------------------------ the other pages' explainers
    'items.caption': "Nearest items in each model's item space. Above each list, one sentence says which vectors and which similarity it uses, and whether that is the score the model was trained on. Models come from the sidebar; the view is in the URL (share it).",
    'items.side_by_side': "Each model's top-{k}, side by side. Shaded: listed by more than one model, darker when more do ({shared} such item(s) across {models} models). Scores, {_genres} and what each score is: below, per model.",
    'items.heatmap_needs_two': 'Select two or more models for the overlap heatmap.',
    'users.caption': "Each model's top-K items for a user, the user's training items excluded (as in the evaluation). The held-out test item is highlighted wherever a model recalls it.",
    'users.single': 'This user has a single interaction: nothing is held out.',
    'users.side_by_side': "Each model's top-{k}, side by side; the held-out item is shaded where a model recalls it. Scores, {_genres} and what each score is: below, per model.",
    'maps.caption': "UMAP of each model's item vectors (cosine, seed 42). Each map is computed once per model and setting, then read from the model's folder in the store. Hover a point for its title.",
    'serving.caption': "Evaluation and every list in this app score exactly. Serving at scale would not: item vectors go into an approximate nearest-neighbour (ANN) index. This page measures what that costs for a model's own vectors, as recall@{recall_k} against exact search, next to the time of one top-{latency_k} query on one thread and the index's memory.",
    'eges.caption': "EGES mixes an item's id embedding with side-information embeddings ({_genres}, year, popularity) using weights learned per item. The method's claim: sparse items lean on side information.",
    'eges.never_centre': 'Never a walk centre in training: its attention row received no gradient, so its weights are still the uniform start, and its vector is the cold-start one.',
    'eges.exposure_note': "An item's attention row moves only in training steps where it is a walk centre, so a raw correlation with its number of interactions can come from how often it was updated. The verdict compares items that were walk centres about equally often.",
    'eges.kinds_note': "The method's other claim. Primary {_genre} = {_an_item}'s most specific {_genre}, the one the fewest {_items} list (Toy Story → Animation); year band = release decade. Groups also differ in interactions and exposure (see the medians), so compare with the relative view.",
    'eges.cold_note': "{_An_item} that does not exist: choose its {_genres} and year; EGES embeds it from side information alone (its {_genre} and year embeddings, mixed by the model's average attention on those fields) and finds the nearest real {_items}.",
    'dssm.tau_note': 'Lower τ sharpens the distribution (entropy falls, the top item takes more mass); higher τ flattens it towards uniform. The ranking itself does not change with τ at inference.',
    'dssm.caption': 'τ decides how peaked that softmax is: at inference (a) and as a training choice (b).',
    'overview.metrics_note': 'Each user has one held-out {_item}, so Recall@{k} equals HR@{k} and Precision@{k} equals HR@{k} / {k}: they are not shown twice. **mostpop** and **transition** are references, not embedding models: ',
    'overview.empty_store': 'The store `{store}` has no trained model yet. Choose models and press **Train** (most-popular and Item2Vec take seconds). The most-popular row below is computed on the spot.',
    'overview.transition_computed': 'Computed from the training split whenever the leaderboard is read; nothing is stored.',
    'state.no_models': 'No trained models in `{store}` yet. Train them on the Overview page (or run `python -m recall_core train --models all`).',
    # --- How it works: FM, DSSM and YouTubeDNN sections (recall_core/app/how/_towers_text.py reads these)
    'how.towers.pick_user': 'User',
    'how.towers.pick_movie': "{_Item} (the user's top 10 first)",
    'how.towers.look_for': 'What to look for (checked on this data)',
    'how.towers.with_user_id': 'the user id',
    'how.towers.without_user_id': 'no user id',
    'how.towers.fm_idea': "An FM scores every pair of features with the inner product of their embeddings, so a (user, {_item}) pair is scored by the user's features, the {_item}'s features and every user-{_item} feature pair. The terms that involve only the user are the same for every {_item}, so dropping them changes no ranking and leaves a score that splits exactly into a user vector and {_an_item} vector.",
    'how.towers.fm_identity': 'Two-tower score `[1; Σv_u]·[item terms; Σv_t]` = **{two:.5f}**; full score − user-only terms = {full:.5f} − ({uo:.5f}) = **{diff:.5f}** (difference {err:.1e}). The stored user vector · stored {_item} vector gives {stored:.5f}.',
    'how.towers.fm_cross_caption': "Each user feature's share of the cross term, x_u v_u · Σ v_t x_t (the shares sum to the cross term; history features carry decaying weights that sum to 1).",
    'how.towers.fm_check_identity': 'Two-tower score = full score − user-only terms for this pair (difference {err:.1e}).',
    'how.towers.fm_check_stored': 'The stored vectors give the same score (difference {err:.1e}); the {_item} vectors recomputed from the stored FM tables match the stored ones (largest difference {cand_err:.1e}).',
    'how.towers.fm_check_rank': 'The user-only terms add the same {uo:.4f} to all {n} {_items}: ranking by the full FM score and by the two-tower score gives the same top 10.',
    'how.towers.fm_check_softmax_bias': 'w0 and every user weight w_u are exactly 0: in a softmax over {_items} they cancel, get no gradient and keep their initial value.',
    'how.towers.fm_check_history': "The history features carry {share:.0%} of the cross term's absolute size for this pair.",
    'how.towers.fm_diff_softmax': "Loss: a full softmax over the {n_items} {_items} (the user-only terms cancel in it); the tutorial's code trains a pointwise sigmoid (BCE) on sampled negatives.",
    'how.towers.fm_diff_sampled': "Loss: a sampled softmax over each target and {num_sampled} negatives shared by the batch, drawn from count^{alpha:g} with the matching logQ correction (the catalogue is too large for the full one); the tutorial's code trains a pointwise sigmoid (BCE) on sampled negatives.",
    'how.towers.fm_diff_bce': "Loss: pointwise sigmoid (BCE) on the full FM score with {num_negatives} uniform negatives per positive, as in the tutorial's code, except that {_an_item} the user rated is never a negative.",
    'how.towers.fm_diff_history': "User features include the last {history_len} {_items} before the target (weights {decay}^j, normalised to sum 1); the tutorial's user features are the profile only.",
    'how.towers.fm_diff_no_history': 'No history features: the user side is the profile only, as in the tutorial.',
    'how.towers.fm_diff_examples': 'Trained on next-item examples (features from the history strictly before each target), at most {cap} per user.',
    'how.towers.fm_diff_score': '{_Items} are ranked by the trained score itself (inner product with the bias coordinate), not by the cosine of the embeddings.',
    'how.towers.fm_diff_typo': "Follows the tutorial's text: the item-only pairwise term uses `x_t²` where the text writes `x_u²` (a typo).",
    'how.towers.dssm_idea': "Two towers map a user and {_an_item} to unit vectors, and their cosine divided by a temperature τ is the logit. In a batch, each user's own {_item} is the positive and the other users' {_items} are the negatives; subtracting log q (how often {_an_item} appears in batches) keeps popular {_items} from being pushed down just for being frequent negatives.",
    'how.towers.dssm_batch': 'Batch',
    'how.towers.dssm_logq_box': 'logQ correction',
    'how.towers.dssm_source_training': "A batch of 8 training examples, one per user, stored at training time with the user tower applied to each example's own history (training used batches of the configured size; 8 keeps the matrix readable). Rows: users; columns: the batch's positives.",
    'how.towers.dssm_source_serving': "This stored model predates the stored sample batch: 8 seeded users with a positive drawn from their training history, scored with their serving vectors (full history). Retrain for the vectors training saw. Rows: users; columns: the batch's positives.",
    'how.towers.dssm_matrix': 'Logits cos(u, v) / τ (before the correction)',
    'how.towers.dssm_row': 'Softmax row of',
    'how.towers.dssm_row_title': 'Softmax over the batch (the positive in colour)',
    'how.towers.dssm_check_rows': 'Every softmax row sums to 1 (largest deviation {err:.1e}).',
    'how.towers.dssm_check_own': 'At τ = {tau:g}, {k} of {b} users give their own positive the largest probability.',
    'how.towers.dssm_check_entropy': 'Lower τ sharpens the row: its entropy is {h:.2f} bits at τ = {tau:g} and {h1:.2f} bits at τ = 1 (uniform: {hmax:.2f} bits).',
    'how.towers.dssm_check_logq': 'The correction lifts rare positives most: {rare} ({n_rare} training ratings) gets +{c_rare:.2f}, {pop} ({n_pop}) gets +{c_pop:.2f}.',
    'how.towers.dssm_check_full': 'This model was trained with a full softmax over the catalogue, not in-batch: the batch view shows the mechanism it did not use.',
    'how.towers.dssm_diff_in_batch': 'In-batch softmax (batches of {batch_size}) with the logQ correction; the tutorial trains pointwise: sigmoid of the cosine with BCE on sampled negatives.',
    'how.towers.dssm_diff_in_batch_no_logq': 'In-batch softmax (batches of {batch_size}) without the logQ correction; the tutorial trains pointwise: sigmoid of the cosine with BCE on sampled negatives.',
    'how.towers.dssm_diff_full': 'A full softmax over the {n_items} {_items}; the tutorial trains pointwise: sigmoid of the cosine with BCE on sampled negatives.',
    'how.towers.dssm_diff_tau': "The logit is cos / τ with τ = {tau:g}; the tutorial's sigmoid of the cosine has no temperature.",
    'how.towers.dssm_diff_relu': "ReLU towers (hidden layers {hidden}); the tutorial's towers use tanh, BatchNorm and dropout.",
    'how.towers.dssm_diff_tutorial_tower': "The tutorial's towers: Dense + BatchNorm + tanh + dropout {dropout:g}.",
    'how.towers.dssm_diff_features': "User tower: {user_id}, the demographics, and the history (mean of the last {history_len} {_items}, mean of the last {recent_k}, the last one; padding masked); the tutorial's user tower sees profile features only.",
    'how.towers.dssm_diff_examples': 'Next-item examples, at most {cap} per user.',
    'how.towers.ytb_idea': 'YouTubeDNN predicts the next {_item} a user watches with a softmax over the whole catalogue, from the user\'s history, profile and the example\'s age. Each training example only sees the history before its target (the "rollback"), and the age tells the model how long ago the example was, so at serving it can be asked about "now".',
    'how.towers.ytb_examples': 'The training examples of this user',
    'how.towers.ytb_examples_caption': '{n} training interactions give {m} candidate examples (every target after the first); the cap of {cap} per user keeps {kept} of them (a seeded random subset, what training saw). Each history holds at most {history_len} {_items} before its target.',
    'how.towers.ytb_ages': 'Scores of a few {_items} as the serving age varies',
    'how.towers.ytb_ages_caption': "The user's top 5 at the model's serving age ({serve}) and the three most popular unseen {_items}; each column scores them with the user tower at that age (stored at training time).",
    'how.towers.ytb_check_ages': "This user's examples run from {newest:.0f} days old (newest) to {oldest:.0f} days old; older examples get a larger a.",
    'how.towers.ytb_check_oracle': "The scores at the serving age equal the stored user recommendations' scores (largest difference {err:.1e}).",
    'how.towers.ytb_check_overlap': 'The top 10 at {serve} and at {old} share {k} {_items}.',
    'how.towers.ytb_check_popularity': 'Mean training count of the top 10 by serving age: {pops}.',
    'how.towers.ytb_check_extrapolate': 'The oldest training example is {oldest:.0f} days old: the scores at {ages} extrapolate beyond any age the model saw.',
    'how.towers.ytb_sample': 'The age grid was stored for a seeded sample of {m} users.',
    'how.towers.ytb_no_age_view': 'This model has no example age feature: its scores are the same at every serving age.',
    'how.towers.ytb_diff_full': 'Full softmax over all {n_items} {_items} (exact and cheap at this size); the paper samples the negatives.',
    'how.towers.ytb_diff_sampled': 'Sampled softmax with {num_sampled} negatives drawn from count^{alpha:g} and the matching logQ correction, as in the paper.',
    'how.towers.ytb_diff_cap': 'At most {cap} examples per user (a seeded random subset of all next-watch targets); the tutorial gives every user a fixed number of examples.',
    'how.towers.ytb_diff_table': "The {_item} vectors are the softmax's output table, not normalised ({_an_item}'s norm can carry its popularity); the user vector is L2-normalised and the score is their inner product.",
    'how.towers.ytb_diff_age_zero': 'Example age log1p(days / {unit:g}) and its square are tower inputs, and users are served at age 0, as in the paper.',
    'how.towers.ytb_diff_age_user': 'Example age log1p(days / {unit:g}) and its square are tower inputs; users are served at their own age (now − their last training time), where the paper serves at 0.',
    'how.towers.ytb_diff_no_age': 'No example age feature (the paper has one).',
    'how.towers.ytb_diff_history': 'History pooled three ways (mean of the last {history_len}, mean of the last {recent_k}, the last one), padding masked.',
    # --- The tutorial's claims checked on the data, the tutorial's table, model-card facts (recall_core/app/claims.py)
    'claims.common.no_store': 'No stored models for this dataset yet: train them on the Overview page.',
    'claims.common.missing_models': 'Not stored: {names}. This check needs them.',
    'claims.common.measured_by': 'Measured by `make ablations` on {date} (seed 42, one training per cell; command: `{command}`).',
    'claims.common.no_ablations': 'The ablation file (`bench/ablations.json`) is missing: run `make ablations`. Nothing is shown rather than numbers that were not measured.',
    'claims.common.row_missing': 'The ablation file has no measured row “{decision}” for {model} yet: run `make ablations`.',
    'claims.common.cells_missing': 'Cells marked empty were not measured (no cached training).',
    'claims.sparse.title': 'Does side information help sparse items?',
    'claims.sparse.claim': 'The tutorial: side information ({_genres}, year) lets EGES embed {_items} with few interactions better than Item2Vec, which only sees the id.',
    'claims.sparse.how': "Each test user's held-out {_item} is put in a bucket by its number of training interactions; HR@{k} is computed per bucket from each stored model's U2I scores (full catalogue, training {_items} excluded: the leaderboard's protocol).",
    'claims.sparse.chart': 'HR@{k} by popularity of the held-out {_item}',
    'claims.sparse.x': 'training interactions of the held-out {_item}',
    'claims.sparse.verdict_helps': 'On this split, EGES recalls sparse {_items} (1 to {limit} training interactions, {users} test users) better than Item2Vec: HR@{k} {a:.3f} against {b:.3f}.',
    'claims.sparse.verdict_not': 'On this split, EGES does not recall sparse {_items} (1 to {limit} training interactions, {users} test users) better than Item2Vec: HR@{k} {a:.3f} against {b:.3f}.',
    'claims.sparse.few': 'Only {users} test users hold such {_an_item}: one or two hits change the order, so read this as weak evidence either way.',
    'claims.sparse.none': "No test user's held-out {_item} has 1 to {limit} training interactions: the claim cannot be tested on this split.",
    'claims.sparse.unseen': '{_Items} with 0 training interactions are unknown to both models (ranked last), so both score 0 there by construction.',
    'claims.ges.title': 'EGES against GES (attention against a plain mean)',
    'claims.ges.claim': 'The paper: learning a weight per {_item} and field (EGES) beats the plain mean of the field embeddings (GES).',
    'claims.ges.stored': 'The stored EGES on this dataset: HR@10 {hr:.4f} (test).',
    'claims.ges.verdict_better': 'Measured on ML-100K, HR@10 learned attention against plain mean: {splits}. Attention helps here.',
    'claims.ges.verdict_worse': 'Measured on ML-100K, HR@10 learned attention against plain mean: {splits}. Attention does not help here.',
    'claims.ges.verdict_mixed': "Measured on ML-100K, HR@10 learned attention against plain mean: {splits}. The splits disagree: the difference is within what one training's noise can do, so this data does not show that attention helps.",
    'claims.ges.split': '{split} {a:.4f} against {b:.4f}',
    'claims.airbnb.title': 'Airbnb: global context and same-market negatives',
    'claims.airbnb.claim': 'The tutorial: the booked listing as global context and negatives from the same market both improve the embeddings.',
    'claims.airbnb.market_u2i': 'Same-market negative share, judged on user recall (U2I HR@10)',
    'claims.airbnb.market_i2i': 'Same-market negative share, judged on item neighbours (I2I HR@10)',
    'claims.airbnb.global': 'Booked {_item} as global context',
    'claims.airbnb.market_not': 'Same-market negatives do not improve this measure here: the claim does not hold on it.',
    'claims.airbnb.market_helps': 'Same-market negatives improve this measure here.',
    'claims.airbnb.best': 'Best on ML-100K test: {variant} ({metric} {value:.4f}); no same-market negatives (0): {zero:.4f}.',
    'claims.airbnb.global_verdict': 'ML-100K test, I2I HR@10: with global context {on:.4f}, without {off:.4f}; U2I HR@10: with {on_u:.4f}, without {off_u:.4f}.',
    'claims.airbnb.note': "On MovieLens a “market” is {_an_item}'s primary {_genre} and a “booking” its session's top-rated {_item}; they stand in for Airbnb's cities and bookings, which MovieLens does not have.",
    'claims.tau.title': 'Temperature: quality and coverage',
    'claims.tau.claim': 'A lower τ sharpens the softmax: it separates the positive from hard negatives better, and spreads the recommendations over more of the catalogue.',
    'claims.tau.chart': 'HR@10 and coverage@10 against the training temperature τ',
    'claims.tau.none': 'No DSSM temperature variants are stored: train some on the DSSM temperature page (or `make run`, which trains τ = 0.02 … 1.0).',
    'claims.tau.verdict': 'From τ = {t0:g} to τ = {t1:g}: coverage@10 goes from {c0:.2f} to {c1:.2f}, HR@10 from {h0:.3f} to {h1:.3f}.',
    'claims.norm.title': 'Normalisation and train–serve consistency',
    'claims.norm.claim': 'Models trained with an inner product leave popularity in the vector norms; scoring them with cosine at serving time removes it, and changes the ranking.',
    'claims.norm.model': 'Model',
    'claims.norm.unit': '{model} stores unit vectors for its candidates: inner product and cosine give the same ranking, and the norm says nothing about popularity.',
    'claims.norm.scatter': "Norm of each {_item}'s candidate vector against its training interactions ({model})",
    'claims.norm.rho': 'Spearman ρ between norm and training interactions: {rho:+.2f} over {n} {_items}.',
    'claims.norm.rho_pos': 'Popular {_items} have longer vectors: under the inner product they are pushed up for every user.',
    'claims.norm.rho_neg': 'Popular {_items} have shorter vectors here: the inner product does not favour them by norm.',
    'claims.norm.rho_none': 'The norm hardly follows popularity.',
    'claims.norm.table': 'HR@10 of the same stored vectors, scored by inner product (as trained) and by cosine',
    'claims.norm.table_note': 'The vectors are not changed: only the scoring rule. A drop under cosine means the norm carried signal the model was trained to use; a rise means it carried popularity bias.',
    'claims.tut.title': "The tutorial's results beside ours",
    'claims.tut.source': "The tutorial (Datawhale fun-rec, ML-1M) prints each model's metrics as notebook output, and every deploy of the book re-ran them: the numbers differ between versions. Shown: version {commit} ({date}); the min–max columns span {n} versions read from the book's source.",
    'claims.tut.ours': 'Ours: the stored models on {dataset} (full catalogue, training {_items} excluded), from the manifests.',
    'claims.tut.snapshot': 'Tutorial version',
    'claims.tut.why': 'Why the orderings differ',
    'claims.tut.why_loss': '**Loss.** The tutorial trains FM and DSSM pointwise (sigmoid/BCE on sampled negatives) for one epoch; here FM is trained with a softmax over the catalogue and DSSM with an in-batch softmax with logQ.',
    'claims.tut.why_hist': "**History features.** Here FM's user side includes the user's last {_items}; the tutorial's FM has profile fields only.",
    'claims.tut.why_protocol': "**Protocol.** Here every model ranks the full catalogue with the user's training {_items} excluded; the tutorial's evaluation of embedding models ranks by cosine over all items without excluding training {_items}, which costs every model, and most those that recall what the user already saw.",
    'claims.tut.why_unstable': "**Unstable numbers.** Across the tutorial's versions FM's HR@10 ranges from {lo:.4f} to {hi:.4f}: with one epoch and no fixed seed, its place in the ordering is not stable.",
    'claims.tut.ablation': 'Measured here (ablation, ML-100K test, HR@10): {model} {decision}: {cells}.',
    'claims.tut.ablation_missing': 'No ablation measured for {model} {decision} yet.',
    'claims.card.loss': 'Loss per epoch',
    'claims.card.epoch': 'epoch',
    'claims.card.no_loss': 'No loss per epoch recorded for this model.',
    'how.claims_title': "The tutorial's claims, checked on this data",
    'how.tutorial_table_title': "The tutorial's results table beside ours",

    # ------------------------------------------------------------------ sidebar, pickers (recall_core/app/state.py, widgets.py)
    'sidebar.language': 'Language',
    'sidebar.models_help': 'Models shown on the item and user pages (colours are fixed per model).',
    'sidebar.store': 'Store: `{store}` · {n} model(s)',
    'common.choose_models': 'Choose one or more models in the sidebar.',
    'common.go_train': 'Go to Overview to train',
    'widgets.item_line': '{n} training interactions',
    'widgets.search_help': ('Searched on the server: the {limit} best matches are listed beside (most-rated first). '
                            'Pickers search above {above:,} {what}.'),
    'widgets.search_movies': '{_items}',
    'widgets.search_users': 'users',

    # ------------------------------------------------------------------ Overview (pages/home.py)
    'overview.col_train_s': 'Train s',
    'overview.col_distinct': 'Distinct lists@10',
    'overview.users': 'Users',
    'overview.items': 'Items',
    'overview.interactions': 'Interactions',
    'overview.first_rating': 'First rating',
    'overview.last_rating': 'Last rating',
    'overview.list_error': 'Could not list the models: {error}',
    'overview.train_models': 'Models to train (retrains those already stored)',
    'overview.seed_label': 'Seed',
    'overview.train_button': 'Train',
    'overview.col_model': 'Model',
    'overview.value': 'value',
    'overview.bars_title': 'HR@{k} and NDCG@{k} per model',
    'overview.lines_title': 'HR@K as K grows',
    'overview.no_manifest': 'manifest missing',
    'overview.imported': 'Imported vectors ({dim} dimensions, {metric}): {vectors} with {ids}',
    'overview.imported_users': '; users {users}',
    'overview.view_note': '**{label}:** {note}',
    'overview.config': 'config: `{config}`',
    'overview.import_name': 'Name in the store',
    'overview.import_metric': 'Similarity of the vectors',
    'overview.import_vectors': 'Item vectors (vectors.tsv or .npy)',
    'overview.import_ids': 'Item ids (metadata.tsv, one id per line, or .npy)',
    'overview.import_users': 'User vectors (optional)',
    'overview.import_user_ids': 'User ids (with user vectors)',
    'overview.import_button': 'Import',
    'overview.replaced': 'Replaced the earlier import. ',
    'overview.imported_ok': 'Imported. ',
    'overview.export_model': 'Export a stored model as Projector TSV files',
    'overview.export_view': 'View',
    'overview.download': 'Download (zip)',
    'overview.summary': '**{dataset}** ({layout} layout) · {_genres}: {genres} · user fields: {fields}',
    'overview.no_user_fields': 'none',
    'overview.train_box': 'Train models',
    'overview.train_missing': ' ({n} missing)',
    'overview.train_caption': ('Training runs here, with progress ({phrase}). The command line does the same: '
                               '`python -m recall_core train --models all`.'),
    'overview.time_span': '{span} per model when this store was trained',
    'overview.time_unknown': 'training times on ML-100K are in BENCHMARKS.md',
    'overview.trained_msg': 'Trained and stored: {models}.',
    'overview.leaderboard': 'Leaderboard',
    'overview.k_help': 'Cut-off of the top-K lists (leave-last-out, full catalogue, training items excluded).',
    'overview.train_s_help': 'training wall time, seconds',
    'overview.distinct_help': 'different top-10 lists over all users',
    'overview.best_caption': 'Best value per column highlighted (Train s: lowest). ',
    'overview.best_of': 'best {col}: **{model}**',
    'overview.transition_description': ("Reference scoring rule, not an embedding model: counts how often {_item} j "
                                        "followed {_item} i within {window} steps in training histories (weight "
                                        "1/step), and scores every {_item} from the user's last {last_n} {_items} with "
                                        "weights {decay:g}^age; popularity breaks ties. Its settings were chosen on "
                                        "validation, like the models'."),
    'overview.cards': ("Model cards ({n}): description, seed, training time, config, and what each view's score is"),
    'overview.reference': '(reference)',
    'overview.variant_stored': '**Variant stored:** {variants}.',
    'overview.seed_time': 'seed **{seed}** · trained in **{secs:.1f} s**',
    'overview.seed': 'seed **{seed}**',
    'overview.created': 'created {created}',
    'overview.variant_of': ' · variant of {name}',
    'overview.files_box': 'Bring your own embeddings: import vectors, export a model',
    'overview.files_caption': ("TensorFlow Projector files (`vectors.tsv` and a `metadata.tsv` with an id column such "
                               "as `item_id`), or a `.npy` array of shape (n, d) with an ids file (one id per line). "
                               "The ids are matched to the dataset's; ids that match nothing are reported and left "
                               "out. The model then shows on the item pages and the maps, and on the leaderboard "
                               "(I2I; U2I with user vectors). The command line does the same: `python -m recall_core "
                               "import --name N --vectors F --ids F [--users F --user-ids F] [--metric cosine|ip]`."),
    'overview.import_name_help': "letters, digits and _.=-; not a built-in model's name",
    'overview.import_metric_help': 'ip: inner product',
    'overview.importing': 'Matching, evaluating and storing the vectors…',
    'overview.export_view_help': ('similar: the item space; user: the items as users are scored against them, with '
                                  'the user vectors'),
    'overview.no_user_vectors': '{name} has no user vectors: export its similar view.',
    'overview.download_help': ('vectors.tsv and metadata.tsv (and user_*.tsv for the user view): open them in '
                               'projector.tensorflow.org or Embedding Atlas'),

    # ------------------------------------------------------------------ Item neighbours, User recall
    'items.similar_head': '**Similar**',
    'items.cooccur_head': '**Co-occurs with**',
    'items.agree_help': 'number of selected models listing this item',
    'users.user_head': 'User {user}',
    'users.n_training': '{n} training interactions',
    'users.held_out': 'Held-out test item: **{title}**',
    'users.history_head': '**Recent history** (most recent first)',

    # ------------------------------------------------------------------ EGES attention (pages/eges.py)
    'common.cosine': 'Cosine',
    'eges.tab_one': 'One {_item}',
    'eges.tab_across': 'Across the catalogue',
    'eges.tab_kinds': 'By kind of item',
    'eges.tab_cold': 'Cold-start simulator',
    'eges.bar_title': 'Attention over the fields',
    'eges.weight': 'weight',
    'eges.metric_raw': 'ρ interactions · id weight',
    'eges.metric_exposure': 'ρ interactions · centre count',
    'eges.metric_partial': 'partial ρ | centre count',
    'eges.metric_within': 'partial ρ within {n} centre-count bins',
    'eges.boxes_title': 'Weight per field over {n:,} trained items',
    'eges.centre_count': 'centre count',
    'eges.hover_centre': '<br>walk centre %{{customdata:,}} times per epoch',
    'eges.hover_item': '%{{text}}<br>%{{x}} interactions<br>id weight %{{y:.3f}}{extra}<extra></extra>',
    'eges.items': 'items',
    'eges.scatter_title': 'Weight on {field} vs interactions (ρ = {rho:+.2f})',
    'eges.interactions_log': 'training interactions (log)',
    'eges.field_weight': '{field} weight',
    'eges.col_mean': 'mean',
    'eges.col_rho_interactions': 'ρ interactions',
    'eges.col_rho_exposure': 'ρ centre count',
    'eges.col_partial_interactions': 'ρ interactions | centre count',
    'eges.col_partial_exposure': 'ρ centre count | interactions',
    'eges.col_within': 'partial ρ interactions within centre-count bins',
    'eges.relative': 'Relative to {_items} with a similar centre count',
    'eges.by_genre': 'primary {_genre}',
    'eges.by_year': 'year band',
    'eges.heat_relative': 'Weight minus exposure-matched mean by {by} (items)',
    'eges.heat_mean': 'Mean weight by {by} (items)',
    'eges.table_by': 'Table by {by}',
    'eges.not_stored': 'EGES is not in the store yet: train it on the Overview page (`python -m recall_core train --models eges`).',
    'eges.centre_line': ('Walk centre in **{count:,}** (centre, context) examples per epoch (median trained {_item}: '
                         '{median:,.0f}){steps}. Weights start uniform and move only then.'),
    'eges.centre_steps': '; its attention row had a gradient in {centre:,} of {steps:,} optimiser steps',
    'eges.not_recorded': 'This model did not record how often the {_item} was a walk centre (retrain EGES to see it).',
    'eges.nearest': '**Nearest {k} {_items}** (cosine)',
    'eges.sparse_head': 'Do sparse items lean on side information?',
    'eges.help_raw': 'Spearman, not controlled',
    'eges.help_exposure': 'How much exposure and sparsity move together',
    'eges.help_partial': "Spearman rank residuals after fitting the centre count's rank",
    'eges.help_within': 'The same partial ρ inside each quantile bin of the centre count, pooled (Fisher z)',
    'eges.fields_head': ('**Every field against interactions and exposure** (Spearman ρ; the last row leaves the '
                         "popularity field, a bucket of the interaction count, out of the id's share)"),
    'eges.bins_head': '**By interactions** (not controlled)',
    'eges.strata_head': '**Within bins of equal exposure** ({field} weight)',
    'eges.top_field': 'Field with the most attention: {fields}',
    'eges.top_field_one': '{field} for {n:,} items',
    'eges.kinds_head': "Does a field's importance differ by kind of item?",
    'eges.relative_help': ("Each {_item}'s weight minus the mean of {_items} in its centre-count decile: 0 means no "
                           "different from {_items} updated about as often"),
    'eges.contrast': 'Groups of at least 20 {_items}: {groups}',
    'eges.cold_error': 'The cold-start simulator needs a current EGES model: {error}',
    'eges.cold_head': 'Nearest real {_items} to a **{genres} {_item} from {year}**',
    'eges.genreless': '{_genre}-less',
    'eges.cold_share': ' · {share:.0%} share a {_genre} with it',
    # the verdict of recall_core.analysis.eges.controlled_analysis, worded here from its numbers ("values")
    'eges.exposure.centre_counts': 'centre count',
    'eges.exposure.centre_steps': 'centre steps',
    'eges.verdict.nums': ('partial Spearman ρ = {partial:+.2f} ({partial_p}) controlling for the {exposure}; within '
                          '{n_bins} bins of similar {exposure}, partial ρ = {within:+.2f} ({within_p}); uncontrolled '
                          'ρ = {raw:+.2f}'),
    'eges.verdict.caveat': (' Caveat: interactions and {exposure} are nearly collinear (ρ = {rho_xz:+.2f}), so these '
                            'figures rest on the items whose two counts disagree.'),
    'eges.verdict.collinear': ("The data cannot separate exposure from sparsity: an item's training interactions and "
                               "its {exposure} rank almost alike (Spearman ρ = {rho_xz:+.3f}), so there are no items "
                               "with equal exposure and different interactions to compare. Uncontrolled, "
                               "ρ(interactions, id weight) = {raw:+.2f}."),
    'eges.verdict.holds': ('The claim holds after controlling for exposure: among items that were walk centres about '
                           'equally often, those with more training interactions put more weight on their id, so '
                           'sparse items lean on side information ({nums}).{caveat}'),
    'eges.verdict.opposite': ('The opposite of the claim, after controlling for exposure: among items that were walk '
                              'centres about equally often, those with more training interactions put *less* weight '
                              'on their id, so sparse items lean on their id ({nums}).{caveat}'),
    'eges.verdict.inseparable': ('The data cannot separate exposure from sparsity: the two controls disagree '
                                 '({nums}).{caveat}'),
    'eges.verdict.exposure': ('Exposure, not sparsity: the uncontrolled relation (ρ = {raw:+.2f}) disappears at equal '
                              'exposure ({nums}); the {exposure} alone gives ρ = {alone:+.2f} with the id '
                              'weight.{caveat}'),
    'eges.verdict.none': 'No clear relation between interactions and id weight, with or without controlling ({nums}).',
    'eges.verdict.insufficient': 'Not enough variation in weights or counts over {n_items} trained items to tell.',
    'eges.verdict.unrecorded': ('This EGES model was stored before training recorded how often each item was a walk '
                                'centre, so exposure cannot be told from sparsity: retrain EGES. Uncontrolled, '
                                'ρ(interactions, id weight) = {raw:+.2f}, which by itself says nothing about the claim.'),
    'eges.popularity_note': ('The popularity field is a bucket of the interaction count itself, so its weight can '
                             'follow the count by construction (popularity weight: ρ = {pop_rho:+.2f}, partial ρ = '
                             "{pop_partial:+.2f}). Leaving that field out, the id's share of {fields} gives ρ = "
                             '{rho:+.2f}, partial ρ = {partial:+.2f}, within bins partial ρ = {within:+.2f}.'),

    # ------------------------------------------------------------------ DSSM temperature (pages/dssm.py)
    'dssm.tab_a': '(a) τ at inference',
    'dssm.tab_b': '(b) τ in training',
    'dssm.tau_label': 'τ (temperature)',
    'dssm.entropy': 'Entropy',
    'dssm.bits': '{h:.2f} bits',
    'dssm.top1': 'Top-1 probability',
    'dssm.perplexity': 'Perplexity',
    'dssm.mass': 'Mass of these {n} in the full softmax',
    'dssm.softmax_title': 'softmax(cosine / {tau}) over the top-{n}',
    'dssm.probability': 'probability',
    'dssm.default_point': 'default (dssm)',
    'dssm.curve_title': 'Quality against training temperature',
    'dssm.variant': 'Variant',
    'dssm.default_suffix': ' (default)',
    'dssm.train_box': 'Train another temperature',
    'dssm.train_button': 'Train this variant',
    'dssm.trained_msg': 'Stored {name}.',
    'dssm.training.in_batch_logq': ("DSSM scores a user-{_item} pair by cosine / τ. The stored model was trained with an "
                                    "in-batch softmax: each user's next {_item} against the other {_items} of the same "
                                    "batch, with the logQ correction, which subtracts log(sampling probability) from "
                                    "each logit. Popular {_items} turn up as in-batch negatives more often; without the "
                                    "correction they would be pushed down for being popular."),
    'dssm.training.in_batch': ("DSSM scores a user-{_item} pair by cosine / τ. The stored model was trained with an "
                               "in-batch softmax (the other {_items} of the batch are the negatives) without the logQ "
                               "correction."),
    'dssm.training.full': ("DSSM scores a user-{_item} pair by cosine / τ. The stored model was trained with a full "
                           "softmax over every {_item} of the catalogue."),
    'dssm.training.unknown': 'DSSM scores a user-{_item} pair by cosine / τ and is trained with a softmax.',
    'dssm.not_stored': ('No DSSM in the store yet: train it on the Overview page '
                        '(`python -m recall_core train --models dssm --dssm-temperatures 0.05,0.2,0.5`).'),
    'dssm.part_a_head': "One user's candidates under a temperature",
    'dssm.tau_help': '{name} was trained at τ = {tau}',
    'dssm.entropy_help': 'maximum for {n} candidates: {max:.2f} bits (uniform)',
    'dssm.perplexity_help': 'effective number of candidates: 2^entropy',
    'dssm.mass_help': 'share of the softmax over all unseen items held by the top-N',
    'dssm.part_b_head': 'Models trained at different τ',
    'dssm.one_variant': 'Only one DSSM is stored: train variants at other temperatures below to compare.',
    'dssm.train_caption': ('Trains a DSSM variant with the default settings and this τ ({phrase}); it is stored as '
                           '`dssm@t<τ>` and appears above.'),

    # ------------------------------------------------------------------ Embedding maps (pages/maps.py)
    'maps.no_item_models': 'No stored model has item vectors to map (most-popular is one number per item).',
    'maps.nn_help': 'larger: more global structure',
    'maps.md_help': 'smaller: tighter clusters',
    'maps.colour_help': ("top attention field exists for EGES only (others fall back to primary {_genre}: {_an_item}'s "
                         "most specific {_genre}, the one the fewest {_items} list)"),
    'maps.notice_items': ('showing {shown:,} of {total:,} items, sampled uniformly at random (seed {seed}; above '
                          '{limit:,} points a map is sampled)'),
    'maps.notice_users': ('showing {shown:,} of {total:,} users, sampled uniformly at random (seed {seed}; above '
                          '{limit:,} points a map is sampled)'),
    'maps.sampled': 'Sampled map: {notice}.',
    'maps.no_attention': '{name} has no attention weights: coloured by primary {_genre}.',
    'maps.computed': 'computed now and cached: `{file}`',
    'maps.from_store': 'read from the store: `{file}`',
    'maps.closeups': ("Close-ups: each model's nearest neighbours of the {_item} (in the model's own vector space, "
                      "ringed) where they fall on its map (★: the {_item})."),
    'maps.not_on_map': "This {_item} is not on {name}'s map (the model has no vector for it).",
    'maps.sampled_closeup': 'Sampled close-up: {notice}.',
    'maps.off_map': '{n} neighbour(s) not on the map (no vector).',
    'maps.no_user_models': 'No stored model has user vectors to map.',
    'maps.no_demographics': 'This dataset has no demographics.',

    # ------------------------------------------------------------------ Serving (pages/serving.py)
    'serving.why_title': 'Why two towers serve fast, and what vector norms do to an index',
    'serving.why_body': (
        "**From O(U×I) to O(U+I).** Scoring every user against every item is U×I dot products: "
        "{users:,} × {items:,} = {pairs:,} here, and out of reach for millions of users and items. A two-tower "
        "model keeps user and item apart until the final dot product, so each item vector is computed once, "
        "offline, and stored in an index; at request time only the user tower runs. That is U + I tower passes "
        "({passes:,} here) instead of U×I model calls, and an ANN index answers each user's top-K by visiting a "
        "small part of the catalogue instead of all of it. A model that crosses user and item features inside the "
        "network cannot do this: it needs both to score.\n\n"
        "**Normalised vectors make three measures agree.** For unit vectors, cos(q, x) = q·x and "
        "‖q − x‖² = ‖q‖² + ‖x‖² − 2 q·x = 2 − 2 q·x, so the highest inner product, the highest cosine and the "
        "smallest Euclidean distance pick the same items, and any index built for one serves the others. "
        "DSSM's towers end in an L2 normalisation, so its vectors are unit vectors; Item2Vec and FM vectors "
        "are not (cosine views here use normalised copies).\n\n"
        "**Norms and ANN recall.** Without normalisation, inner product ranks by ‖x‖·cos θ: a long item vector "
        "scores high for many users whatever its direction. Inner product is not a distance (a vector need not "
        "be its own nearest neighbour; no triangle inequality), which is what graph and cluster indexes lean "
        "on. HNSW links each vector to its best-scoring neighbours, so long vectors collect links while short "
        "ones become hard to reach; IVF assigns each vector to the centroid with the highest inner product, which "
        "favours long centroids and unbalances the lists. The usual fixes are to normalise (the score becomes "
        "cosine) or to add one coordinate √(R² − ‖x‖²) to every item (R the largest norm, 0 to queries), which "
        "turns the search into a Euclidean one with the same ranking. The chart's **hnsw-l2** line measures that "
        "rewrite on the chosen vectors: it is not free either (every rewritten vector has norm R, and short items "
        "crowd together near one pole), so whether it helps depends on the vectors. The norms section below "
        "says which case the chosen vectors are. Below {exact_below:,} vectors, `make_index(kind='auto')` keeps "
        "exact search: there, it is faster than HNSW at recall 0.99 (measured with "
        "`python -m recall_core index-bench --crossover`)."),
    'serving.not_indexed': 'Not indexed: {models}.',
    'serving.no_vectors': 'No stored model has vectors to index.',
    'serving.remeasure_help': "Re-run the benchmark on this model and record it in its folder",
    'serving.measuring': "Measuring every index kind on {name}'s vectors (once; then read from the store)…",
    'serving.fastest': ('Fastest setting at recall@{k} ≥ 0.99: **{kind} {setting}**, p99 {p99:.3f} ms against '
                        '{exact:.3f} ms for exact search.'),
    'serving.none_099': 'No ANN setting reaches recall@{k} ≥ 0.99 on these vectors.',
    'serving.memory_head': '**Memory and build time of each index**',
    'serving.measured_recorded': 'Measured now and recorded',
    'serving.measured_unrecorded': 'Measured now (not recorded: the model was retrained meanwhile)',
    'serving.measured_read': 'Read from the store (measured {created})',
    'serving.measured_tail': (" in `{sidecar}` beside the model's vectors; {queries:,} of the view's own queries, each "
                              "searched alone on one thread, median of 3 rounds. At {n:,} vectors exact search is "
                              "cheap: the differences grow with the catalogue (see `index-bench --synthetic-items 1M`)."),
    'serving.norms_head': 'Vector norms',
    'serving.norms.cosine_unit': ('Scored by cosine: the index holds normalised copies, so inner product, cosine and '
                                  'Euclidean distance rank alike here, whatever the stored norms (already 1).'),
    'serving.norms.cosine': ('Scored by cosine: the index holds normalised copies, so inner product, cosine and '
                             'Euclidean distance rank alike here, whatever the stored norms (from {min:.2f} to '
                             '{max:.2f}).'),
    'serving.norms.ip_unit': 'Scored by inner product on unit vectors: the same ranking as cosine and as Euclidean distance.',
    'serving.norms.ip': ("Scored by inner product on vectors whose norms run from {min:.2f} to {max:.2f} (the 99th "
                         "percentile is {spread:.2f}× the median): a long vector scores high for many queries whatever "
                         "its direction. Inner product is not a distance (a vector need not be its own best match; "
                         "there is no triangle inequality), and graph (HNSW) and cluster (IVF) indexes rely on one to "
                         "prune their search. How much recall that costs depends on the vectors and on where the "
                         "queries come from, not on the norms alone: compare this view's recall with a cosine view's. "
                         "Adding one coordinate √(R² − ‖x‖²) to every item (R the largest norm; 0 to the queries) "
                         "makes it a Euclidean search with the same ranking: that is the chart's hnsw-l2 line."),
    'serving.query_head': 'One query: exact top-K beside ANN top-K',
    'serving.no_ann': 'No ANN index could be built on these vectors.',
    'serving.param_help': 'lower: faster, and more misses',
    'serving.finds_all': '**{kind} {param}={value}** finds {found} of the exact top-{n}.',
    'serving.finds_missed': '**{kind} {param}={value}** finds {found} of the exact top-{n}; the {missed} it missed are marked ✗.',

    # ------------------------------------------------------------------ pages: titles (app.py's navigation and each page's heading, by url path) and the app's last net
    'page.home': 'Overview',
    'page.items': 'Item neighbours',
    'page.users': 'User recall',
    'page.eges': 'EGES attention',
    'page.dssm': 'DSSM temperature',
    'page.maps': 'Embedding maps',
    'page.serving': 'Serving',
    'page.how': 'How it works',
    'page.judge': 'Judge',
    'app.page_error': 'Something went wrong on this page: {error}',

    # ------------------------------------------------------------------ sidebar, shared state (recall_core/app/state.py)
    'sidebar.models': 'Models',
    'sidebar.models_expected': 'models stored for {dataset} ({models})',
    'sidebar.none_yet': 'none yet',
    'sidebar.models_using': 'the models chosen in the sidebar',
    'state.loading_dataset': 'Loading the dataset…',
    'state.reading_leaderboard': 'Reading the leaderboard…',
    'state.dataset_error': 'The dataset could not be loaded: {error}',
    'state.training_busy': 'Training in progress (pid {pid}, started at {started}{command}). Training here is disabled until it ends; reload the page then.',
    'state.training': 'Training',
    'state.training_spinner': '{what} {n} model(s); this runs in this browser session…',
    'state.training_failed': 'Training failed: {error}',
    'state.done': 'Done',
    'state.computing_umap': "Computing the UMAP of {name}'s {kind} (once; then read from the store)",
    'state.umap_items': 'items',
    'state.umap_users': 'users',

    # ------------------------------------------------------------------ pickers, tables, links (recall_core/app/widgets.py, url.py)
    'widgets.col_title': 'Title',
    'widgets.col_year': 'Year',
    'widgets.col_genres': '{_Genres}',
    'widgets.pick_item': '{_Item} (type part of a title)',
    'widgets.pick_user': 'User',
    'widgets.expected_item': 'a {_item} id of {dataset}',
    'widgets.expected_user': 'a user id of {dataset}',
    'widgets.expected_k': 'a whole number K from 1 to {k_max}',
    'widgets.search_box_item': 'Search {n:,} {_items}',
    'widgets.search_box_user': 'Search {n:,} users',
    'widgets.search_item_placeholder': 'type part of a title, then Enter',
    'widgets.search_user_placeholder': 'type an id, age, gender or occupation, then Enter',
    'widgets.no_item_match': 'No {_item} matches {query}.',
    'widgets.no_user_match': 'No user matches {query}.',
    'widgets.copy_link': 'Copy link to this view',
    'widgets.link_copied': 'Link copied',
    'widgets.copy_this_link': 'Copy this link: ',
    'widgets.copy_link_title': 'A link that opens this page as it is now: share it or reload it',
    'url.ignored': 'Ignored `{param}={raw}` from the link: expected {expected}. Showing {using} instead.',

    # ------------------------------------------------------------------ url state (recall_core/app/url.py)
    'url.expected_valid': 'a valid value',

    # ------------------------------------------------------------------ model cards (recall_core/app/claims.py)
    'claims.card.counts_line': '**Recorded in training:** {counts}',
    'claims.card.scoring_line': '**User scoring:** {rule}',

    # ------------------------------------------------------------------ the tutorial's claims (recall_core/app/claims.py)
    'claims.sparse.hover': '{name}: HR %{{y:.3f}} (%{{customdata}} hits)<extra></extra>',
    'claims.common.value': 'value',
    'claims.norm.hover': '%{{x}} − 1 interactions, norm %{{y:.3f}}<extra></extra>',
    'claims.norm.x': '1 + training interactions',

    # ------------------------------------------------------------------ Item neighbours, User recall (pages/items.py, pages/users.py)
    'common.score': 'Score',
    'items.cooccur_of': '{name} (co-occurs with)',
    'items.agree': 'agree',
    'items.heatmap_hover': '%{{y}} vs %{{x}}: Jaccard %{{z:.2f}}<extra></extra>',
    'items.heatmap_title': 'Overlap of the top-{k} lists (Jaccard)',
    'items.download': 'Download the table (CSV)',
    'users.col_rating': 'Rating',
    'users.col_date': 'Date',
    'users.rank_label': '{name}: rank of the held-out item',
    'users.unranked': 'unranked',
    'users.in_top_k': 'in top-K',
    'users.col_held_out': 'held out',
    'users.history_trace': 'history (training)',
    'users.genre_mix': "{_Genre} mix: history vs each model's top-{k}",
    'users.share': 'share',

    # ------------------------------------------------------------------ Embedding maps (pages/maps.py, recall_core/app/figures.py)
    'maps.left': 'Left model',
    'maps.right': 'Right model',
    'maps.colour_by': 'Colour by',
    'maps.highlight': 'Highlight {_an_item} and its neighbours',
    'maps.draw_error': '{name}: could not draw the map: {error}',
    'maps.items_title': '{name}: {n:,} items',
    'maps.users_title': '{name}: {n:,} users',
    'maps.neighbours': 'Neighbours',
    'maps.show_closeups': 'Close-ups around the {_item} and its nearest neighbours',
    'maps.closeup_title': '{name}: the {_item} and its {n} neighbours',
    'figures.other': 'other',
    'figures.neighbours': 'neighbours',
    'figures.selected': 'selected',

    # ------------------------------------------------------------------ Serving (pages/serving.py, recall_core/app/figures.py)
    'serving.exact_flat': 'exact (flat)',
    'serving.hover': '{label} %{{customdata[0]}}<br>recall %{{y:.4f}}<br>p99 %{{x:.3f}} ms<br>p50 %{{customdata[1]:.3f}} ms<extra></extra>',
    'serving.target': 'recall {target}',
    'serving.x_title': 'p99 latency of one query (ms, log scale)',
    'serving.y_title': '{col} against exact',

    # ------------------------------------------------------------------ Serving (pages/serving.py, recall_core/app/figures.py)
    'serving.vectors_indexed': 'Vectors indexed',
    'serving.measure_again': 'Measure again',
    'serving.header': ' · {view}: {n:,} vectors of width {dim}, {metric}',
    'serving.chart_title': '{name}: recall@{k} against p99 latency',
    'serving.build_s': 'build s',
    'serving.every_setting': 'Every setting',
    'serving.norm_min': 'Smallest norm',
    'serving.norm_median': 'Median norm',
    'serving.norm_max': 'Largest norm',
    'serving.norm_spread': 'p99 / median',
    'serving.index': 'Index',
    'serving.found': '✓ found',
    'serving.missed': '✗ missed',
    'serving.not_in_exact': '✗ not in exact top-K',
    'serving.exact_title': 'Exact (flat)',
    'serving.col_ann': 'ANN',
    'serving.col_exact': 'exact',

    # ------------------------------------------------------------------ How it works (pages/how.py)
    'how.expected_model': 'a stored model with a section ({names})',

    # ---- issue 18: Judge (blind, pooled human judgments)
    "judge.caption": ("Blind, pooled judgments of the models' lists: grade the {_items} a probe's lists hold, or pick the "
                      "better of two lists, without seeing which model made them. Each judgment is stored at once; the "
                      "Results tab turns them into P@K, nDCG@K and ratings with intervals."),
    "judge.tab_graded": "Grade (pooled)",
    "judge.tab_ab": "A/B",
    "judge.tab_results": "Results",
    "judge.tab_sets": "Probe sets",
    "judge.name": "Your name",
    "judge.name_placeholder": "e.g. Ada",
    "judge.name_help": ("Your judgments are stored under this name (1 to 60 printable characters). Type the same name "
                        "after a reload or the next day to go on where you left off; the page keeps it in the link."),
    "judge.type_name": "Type your name above to start judging. Nothing is stored until you grade {_an_item}.",
    "judge.set": "Probe set",
    "judge.set_help": ("A named, seeded set of {_items} and users (stratified into popularity thirds: head, torso, tail) "
                       "that every judge works through in the same order. New sets and hand-picked probes: the Probe "
                       "sets tab."),
    "judge.kind": "Probes",
    "judge.kind_item": "{_Items} (I2I)",
    "judge.kind_user": "Users (U2I)",
    "judge.k_help": "How many of each model's top {_items} are pooled (and scored: P@K, nDCG@K).",
    "judge.no_probes": "The probe set has no probes of this kind ({kind}). Add some on the Probe sets tab.",
    "judge.progress": ("Judged {done:,} of {total:,} {_items} in this set · this probe: {here} of {n_here} · "
                       "probe {probe} of {n_probes}"),
    "judge.all_done": ("You have judged all {n:,} {_items} of this set. Go back to any probe to change a grade: the later "
                       "grade counts, and the history is kept."),
    "judge.prev": "Previous probe",
    "judge.next": "Next probe",
    "judge.next_open": "Next unjudged",
    "judge.probe_head": "Probe {n} of {total}: `{probe}`",
    "judge.user_line": "User **{user}** · {n} training ratings",
    "judge.grade_help": ("The {_items} the selected models list in their top {k} for this probe, once each, in an order "
                         "drawn for you; no model names, scores or ranks. Grade each one: 0 not relevant, 1 somewhat, "
                         "2 relevant, or ? if you cannot judge it (you do not know the {_item}). A grade counts for "
                         "every model that listed the {_item}."),
    "judge.grade_0": "0 not relevant",
    "judge.grade_1": "1 somewhat",
    "judge.grade_2": "2 relevant",
    "judge.grade_cant": "? can't judge",
    "judge.not_saved": "Not saved: {error}",
    "judge.ab_two_models": "A/B needs at least two models: choose them in the sidebar.",
    "judge.ab_count": ("Your A/B votes in force here: {n}. Each vote compares two models' lists for one probe; which "
                       "models they are stays hidden."),
    "judge.ab_all_done": "You have voted on every pair of models for every probe of this set.",
    "judge.ab_help": ("Which list would you rather be shown for this probe? The two lists come from two of the selected "
                      "models, drawn at random and placed left or right at random."),
    "judge.ab_list": "List {side}",
    "judge.ab_a": "A is better",
    "judge.ab_b": "B is better",
    "judge.ab_tie": "Tie",
    "judge.ab_both_bad": "Both bad",
    "judge.results_n": ("**n = {n:,} judgments** in force ({kind}): {judges} judge(s), {probes} probe(s) with a merged "
                        "grade, {units:,} graded (probe, {_item}) units; {rows:,} rows in the file with the history; "
                        "{votes:,} A/B votes."),
    "judge.merge_rule": ("**Merged grade** of a (probe, {_item}): the median of the judges' grades, rounded down; "
                         "can't-judge votes are left out. {_An_item} is relevant when its merged grade is ≥ 1 and its "
                         "gain is the grade; {_an_item} without one counts as not relevant (coverage says how many)."),
    "judge.agreement": ("**Agreement** on {units} unit(s) graded by two or more of {judges} judge(s): Krippendorff's α "
                        "(ordinal) = {alpha}; Cohen's κ = {kappa}."),
    "judge.kappa_pair": " κ {a}/{b} = {kappa} (n = {n}).",
    "judge.agreement_none": "**Agreement**: needs two judges who graded the same (probe, {_item}); none yet.",
    "judge.no_results": "No graded judgments of this kind yet: the tables fill in as people judge.",
    "judge.models_head": "**Per model: P@{k}, nDCG@{k}, coverage@{k}**",
    "judge.models_caption": ("trec_eval's rules on the merged grades. Coverage@{k}: the share of the model's current top "
                             "{k} with a merged grade (a retrained model's new {_items} are unjudged). 95% intervals: "
                             "paired bootstrap over probes, {rounds} rounds. The offline columns are the stored "
                             "evaluation's HR@{k} (U2I) and I2I HR@{k} (the I2I models), for comparison."),
    "judge.offline": "Human nDCG@{k} against offline {metric}: Kendall's τ = {tau} over {n} model(s) with both.",
    "judge.pairs_head": "**Model against model: nDCG@{k} differences**",
    "judge.pairs_caption": ("A pair is a tie when the 95% interval of its difference contains 0. *Probes needed*: about how "
                            "many probes separate a difference of this size, given how much it varies from probe to "
                            "probe (a two-sided test at 5% with 80% power: ((1.96 + 0.84) × sd / difference)²)."),
    "judge.tie": "tie (the interval contains 0)",
    "judge.bt_head": "**Bradley–Terry ratings from A/B votes**",
    "judge.bt_none": "No A/B votes yet.",
    "judge.separated": "separated (p < 0.05)",
    "judge.too_few": "too few to separate: about {needed} decisive votes at this split",
    "judge.power_note": ("Rating: log-strength, P(A beats B) = 1 / (1 + exp(r_B − r_A)); ties and both-bad count half "
                         "to each side; 95% intervals from resampling votes. How many votes separate two models: a "
                         "two-sided binomial test at 5% with 80% power needs about 194 decisive votes for a 60/40 "
                         "preference and 47 for 70/30 (ties left out)."),
    "judge.downloads_head": "**Downloads** (the same files as `python -m recall_core judgments export`)",
    "judge.download_csv": "Every judgment (CSV)",
    "judge.download_qrels": "qrels (merged grades)",
    "judge.run_model": "Model of the run file",
    "judge.download_run": "Run file",
    "judge.sets_caption": ("Every judge of this store works through the same probe sets. A set is seeded: the same data "
                           "and seed give the same probes."),
    "judge.new_set_head": "**A new probe set**",
    "judge.new_set_name": "Name",
    "judge.new_set_seed": "Seed",
    "judge.new_set_items": "{_Items}",
    "judge.new_set_users": "Users",
    "judge.new_set_button": "Create the set",
    "judge.set_exists": "A probe set named {name} exists already: choose another name.",
    "judge.set_made": "Probe set {name} created.",
    "judge.add_head": "**Add probes by hand** to {name}",
    "judge.add_ids": "Probe ids",
    "judge.add_help": "item:<{_item} id> for {_an_item}, user:<user id> for a user, separated by commas.",
    "judge.add_button": "Add the probes",
    "judge.add_none": "Type at least one probe id, e.g. item:50.",
    "judge.added": "Added {n} probe(s) to {name} ({skipped} already in it).",

    # ---- issue 19b: the chapter's table, formulas from the stored config, leaderboard, ablations, empty data
    'claims.tut.chapter_option': 'The chapter this app follows (its results table)',
    'claims.tut.chapter_source': ("The results table of the chapter this app follows (Datawhale fun-rec, vector "
                                  "recall, ML-1M), all six of its columns (P@K: precision at K). The min–max columns "
                                  "span {n} versions of the tutorial's notebooks, re-run by every deploy of the book: "
                                  "the range the same code moved in."),
    'how.formula.i2v_sequence': "Each history is a sentence; every {_item} within {window} positions of the centre is a context, with {negative} negative {_items} per pair (σ: the logistic function).",
    'how.formula.i2v_set': "Each history is a set (cut into chunks of {chunk} {_items}): every other {_item} of the chunk is a context, with {negative} negative {_items} per pair.",
    'how.formula.eges_learned': "H_v mixes the {_item}'s id embedding (j = 0) and its {n} side fields ({fields}) with weights learned per {_item} (a_v).",
    'how.formula.eges_mean': "H_v is the plain mean of the {_item}'s id embedding (j = 0) and its {n} side fields ({fields}): no attention is learned (GES).",
    'how.formula.airbnb_window': "D_p: pairs of {_items} within {window} positions in a 30-minute session, both ways; c_n: {k_cat} negatives per pair from the whole catalogue, m_m: {k_market} from the centre's market (its most specific {_genre}).",
    'how.formula.airbnb_global_negatives': "D_b: each {_item} of a booked session with the session's booked {_item} l_b, however far apart; these pairs get the same {k} negatives as a window pair (the paper's booked-{_item} term has none).",
    'how.formula.airbnb_global_paper': "D_b: each {_item} of a booked session with the session's booked {_item} l_b, however far apart; as in the paper, these pairs get no negatives.",
    'how.formula.airbnb_no_global': "This model was trained without the booked {_item} as global context: no D_b term.",
    'how.formula.airbnb_sigma': "σ(x) = 1 / (1 + e^(−x)); v_l: {_an_item}'s input vector, v′: output vectors.",
    'how.formula.fm_softmax': "Trained with a softmax of the FM score over the whole catalogue V (the user-only terms cancel in it).",
    'how.formula.fm_sampled': "Trained with a sampled softmax: the target against {s} negatives S shared by the batch, drawn with probability q_j, each corrected by −log(|S| q_j); a negative equal to the target is masked.",
    'how.formula.fm_bce': "Trained with a logistic loss on the FM score: each positive against {k} {_items} the user never rated, drawn uniformly.",
    'how.formula.fm_history': "User features x_u: the user id, the demographics and the last {n} {_items} before the target, weighted by {decay}^step.",
    'how.formula.fm_no_history': "User features x_u: the user id and the demographics only (no history {_items}).",
    'how.formula.auto_unresolved': "The manifest does not record which softmax \"auto\" chose: the formula is left open.",
    'how.formula.dssm_mask': "The denominator leaves out the batch's other columns that hold row b's own {_item} (accidental hits), as the code masks them.",
    'how.formula.dssm_q': "q_i uses n_i, the {_item}'s training interactions (+1). The batch's columns are next-{_item} targets (at most {cap} examples per user), so q_i approximates, and is not exactly, how often {_an_item} fills a column.",
    'how.formula.dssm_no_logq': "Trained without the logQ correction: popular {_items} are pushed down more often, as in-batch negatives.",
    'how.formula.dssm_full': "Trained with a full softmax over every {_item} V: no sampling of negatives, no logQ correction, nothing to mask.",
    'how.formula.ytb_full': "A softmax over every {_item} V (the paper samples negatives).",
    'how.formula.ytb_sampled': "A sampled softmax as in the paper: the target against {s} negatives S shared by the batch, drawn with probability q_j and corrected by −log(|S| q_j); a negative equal to the target is masked.",
    'how.formula.ytb_no_age': "This model has no example-age input: the paper's a and a² terms are not part of its user tower.",
    'how.formula.ytb_age_zero': "Example age: a and a² enter the user tower; users are served at a = 0 (\"now\", the paper's choice).",
    'how.formula.ytb_age_user': "Example age: a and a² enter the user tower; each user is served at their own age (now minus their last training interaction).",
    'how.formula.ytb_history': "h̄: the mean of the last {n} {_items}' embeddings (a separate input table), h̄_recent: of the last {k}, h_last: the last {_item}.",
    'how.formula.ytb_history_shared': "h̄: the mean of the last {n} {_items}' embeddings, taken from the softmax's own table (h_j = v_j), h̄_recent: of the last {k}, h_last: the last {_item}.",
    'how.airbnb.diff_global_negatives': "**Negatives for the booked-{_item} pairs:** each gets {k} negatives, as a window pair does; the paper's booked-{_item} term has none.",
    'how.airbnb.diff_global_no_negatives': "**No negatives for the booked-{_item} pairs,** as in the paper (the default draws {k} for them, as for a window pair).",
    'how.airbnb.diff_global_negatives_measured': "Validation I2I HR@10 (ML-100K / synth-10k) with them {on}, without {off} (make ablations, BENCHMARKS.md).",
    'overview.lb.best_caption': 'Best value per column highlighted among the models whose defaults were chosen on validation and the references (Train s: lowest); sweeps and imported vectors are not in the running. ',
    'overview.lb.ci_help': '95% interval: a bootstrap over the evaluated users (1,000 resamples), computed when the model was evaluated and kept in its manifest; – for a model stored before intervals existed.',
    'overview.lb.vs_best': 'vs best',
    'overview.lb.vs_best_help': "HR@{k} against the best row's: tie when the two 95% intervals overlap (these users cannot tell the two apart), below or above when they do not.",
    'overview.lb.mark_best': 'best',
    'overview.lb.mark_tie': 'tie with best',
    'overview.lb.mark_below': 'below best',
    'overview.lb.mark_above': 'above best',
    'overview.lb.ci_caption': 'The 95% intervals cover the sampling of users only: another seed, or another machine\'s kernels, moves a model too (BENCHMARKS.md, *Seed variance* and *Kernels*). Overlapping intervals are a cautious test: a tie means this data cannot separate the two, not that they are equal.',
    'overview.lb.sweep_head': 'Sweeps: not chosen on validation',
    'overview.lb.sweep_caption': "Stored variants of one setting (DSSM's temperature τ, `dssm@t…`): the model with only that setting changed. They were not chosen on validation, so they stand apart and are never highlighted as best; the model in the table above has the setting the validation rule kept.",
    'overview.lb.imported_head': 'Imported vectors',
    'overview.lb.imported_caption': 'Vectors trained elsewhere and imported here: nobody chose their settings on this validation split, so they stand apart from the best highlight.',
    'overview.no_evaluable': '{dataset}: no user has {need} or more interactions, so nobody can be evaluated on the {split} split: every metric shows –.',
    'how.towers.ytb_idea_no_age': 'YouTubeDNN predicts the next {_item} a user watches with a softmax over the whole catalogue, from the user\'s history and profile. Each training example only sees the history before its target (the "rollback"). The paper also feeds each example\'s age; this model was trained without it (without it measured better on validation, make ablations).',
    'how.towers.dssm_idea_full': 'Two towers map a user and {_an_item} to unit vectors, and their cosine divided by a temperature τ is the logit. This model was trained with a full softmax: each user\'s own {_item} is the positive and every other {_item} in the catalogue is a negative, so no sampling correction (logQ) is needed.',

    # ---- issue 23: viewer mode
    "access.viewer_note": ("Viewer mode: {what} is disabled because this server listens on {where}, beyond localhost. "
                           "An operator enables it by starting the app with `{env}=1`."),
    "access.every_interface": "every interface",
    "access.what_train": "training",
    "access.what_import": "importing vectors",
    "access.what_remeasure": "measuring the indexes again",
    "access.what_sets": "creating probe sets and adding probes",
    "judge.too_fast": ("more than {n} judgments in {window} s from this session (a limit against runaway scripts). "
                       "Wait a moment and click again."),
    "judge.sign_in": "Sign in to judge",
    "judge.login_help": "This server uses sign-in: your judgments are stored under the e-mail you signed in with.",
    "judge.sign_in_first": "Sign in (the button above) to judge: your judgments are stored under your e-mail.",
}

# ---- issue 20: your own data, MovieLens by name (sidebar dataset choices, downloads, Overview side information)
STRINGS.update({
    'dataset.sidebar.label': 'Dataset',
    'dataset.sidebar.help': ('ml-100k is ready offline. The other MovieLens releases are downloaded from GroupLens '
                             '(or $RECALL_MOVIELENS_URL) into the data cache on first use. Your own log: a folder '
                             'with dataset.toml (see the README, "Your own data").'),
    'dataset.sidebar.folder': '…or a folder (MovieLens, or your own log with dataset.toml)',
    'dataset.sidebar.folder_help': ('A MovieLens folder (ml-100k, ml-1m, ml-10m or ml-latest files) or a folder '
                                    'holding dataset.toml with interactions (CSV or Parquet), and optionally items '
                                    'and users.'),
    'dataset.label.ml100k': '{name} · ready offline',
    'dataset.label.downloaded': '{name} · downloaded',
    'dataset.label.download': '{name} · download on first use',
    'dataset.label.folder': '{name} · folder in the data cache',
    'dataset.not_downloaded': ('**{name}** is not in the data cache yet. Download it from `{base}` (the size shows '
                               'when it starts), or unzip it yourself into `{folder}`.'),
    'dataset.download_button': 'Download {name}',
    'dataset.download_start': 'Downloading {name}…',
    'dataset.download_progress': '{name}: downloading, {pct:.0f}%',
    'dataset.download_unpack': '{name}: checking and unpacking…',
    'dataset.download_done': '{name} downloaded and checked.',
    'dataset.pending': '{name} is not downloaded yet: press "Download {name}" in the sidebar.',
    'dataset.side.head': '**Side information**: the columns the models use besides the ids and the interactions.',
    'dataset.side.categories': ('categories from `{source}` ({n} distinct): an EGES side field, the Airbnb market '
                                '(each item\'s most specific category) and an FM / DSSM item feature'),
    'dataset.side.year': ('year from `{source}` ({n} items have one): an EGES side field (bucketed) and an FM / DSSM '
                          'item feature'),
    'dataset.side.item_field': 'item field `{name}` ({n} values): an EGES side field and an FM / DSSM item feature',
    'dataset.side.user_field': 'user field `{name}` ({n} values): a feature of the FM, DSSM and YouTubeDNN user towers',
    'dataset.side.none': ('No side information is declared: the models use the ids and the interactions only (EGES '
                          'keeps its popularity field).'),
    'dataset.eges_fields': 'Side fields of this model, as the data declares them: {fields}.',
})

# ---- issue 21: tuning on validation with one budget, the EASE reference row
STRINGS.update({
    'tuning.set_by': 'Set by',
    'tuning.set_defaults': 'defaults',
    'tuning.set_tuned': 'tuned ({trials} trials, {minutes:.1f} min)',
    'tuning.defaults_kept': ', defaults kept',
    'tuning.set_reference': 'reference',
    'tuning.set_variant': 'sweep variant',
    'tuning.set_by_help': ('How the row was set. "defaults": the settings in the code, chosen on validation once '
                           '(make ablations). "tuned (n trials, m min)": `python -m recall_core tune` searched this '
                           "dataset's validation split with that budget and stored the best setting trained on the "
                           'test split ("defaults kept": no trial beat the defaults on validation).'),
    'tuning.budget_defaults': 'defaults (not tuned)',
    'tuning.budget_trials': '{trials} trials',
    'tuning.budget_trials_minutes': '{trials} trials or {minutes:g} min',
    'tuning.budget_group': '{budget}: {models}',
    'tuning.unequal': ('The models shown had **unequal tuning budgets** ({groups}). A model tuned with a larger '
                       'budget had more chances on validation: compare rows with the same budget, or tune them all '
                       'with `python -m recall_core tune --models all --trials N`.'),
    'tuning.ease_note': ('**ease** is a reference, not an embedding model: EASE (Steck, 2019), the closed-form '
                         'item-item weights B = I − P·diag(1/diag(P)), P = (XᵀX + λI)⁻¹, with λ = {lam} chosen on '
                         'validation.'),
    'tuning.ease_skipped': ('**ease** (a reference) is not computed here: this catalogue has {n:,} items, above the '
                            'measured limit of {limit:,} for its dense item × item solve.'),
    'tuning.ease_failed': '**ease** (a reference) could not be computed here: {error}',
    'tuning.ease_description': ('Reference, not an embedding model: EASE (Steck, 2019) learns item-item weights in '
                                'closed form, B = I − P·diag(1/diag(P)) with P = (XᵀX + λI)⁻¹ (X: who watched what in '
                                'training), and scores a user by adding the rows of B of their {_items}. λ is chosen on '
                                'validation among {lambdas}; kept in the store, computed once per dataset.'),
    'tuning.ease_computing': 'Computing the EASE reference once for this dataset (λ chosen on validation)…',
    'tuning.ease_user_caption': ('**ease** is a reference (closed-form item-item weights, λ chosen on validation), '
                                 'not an embedding model: a bar to clear, with the same exclusions.'),
    'tuning.card': ('**Tuned** on validation: {trials} trials ({pruned} pruned), {minutes:.1f} min; validation '
                    'HR@10 {best:.4f} against {default:.4f} for the defaults; {kept}, trained for {epochs} epochs '
                    '(early stopping on validation).'),
    'tuning.show_study': "The study's figures (Optuna)",
    'tuning.kept_tuned': 'the tuned setting is stored',
    'tuning.kept_defaults': 'no trial beat the defaults, so they are stored',
    'tuning.history_title': 'Optimisation history (Optuna)',
    'tuning.importance_title': 'Parameter importances (Optuna)',
    'tuning.axis_trial': 'trial',
    'tuning.axis_valid': 'validation HR@10',
    'tuning.best_so_far': 'best so far',
    'tuning.axis_importance': 'importance',
    'tuning.no_importance': 'No parameter importances yet ({error}).',
    'tuning.no_study': 'The study {name} is not in {db} any more; its figures cannot be drawn.',
})

# ---- merge of issues 18, 19 and 21: the Judge page's Results headers; Airbnb's global_negatives notes
STRINGS.update({
    'judge.col.model': 'model',
    'judge.col.probes_n': 'probes (n)',
    'judge.col.verdict': 'verdict',
    'judge.col.probes_needed': 'probes needed',
    'judge.col.rating': 'rating',
    'judge.col.votes_n': 'votes (n)',
    'judge.col.a_wins': 'a wins',
    'judge.col.b_wins': 'b wins',
    'judge.col.ties': 'ties',
    'judge.col.both_bad': 'both bad',
    'judge.col.decisive_n': 'decisive (n)',
    'judge.col.ci': '95% CI',
    'judge.col.offline': 'offline {metric}',
    'judge.col.metric_ci': '{metric} 95% CI',
    'judge.add_placeholder': 'item:50, user:13',
})

# ---- issue 22: EGES's walks follow the data (fewer walks per node on a sparse session graph)
STRINGS.update({
    'how.eges.walks_scaled': ('({wpn} of the {set} walks set: this session graph has {density:.1f} transitions per '
                              'node, below {full:g}, so fewer walks start at each node and the training follows the '
                              'data, not the catalogue.)'),
})
