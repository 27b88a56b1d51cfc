"""English texts of the app (the reference catalogue: every key here must exist in zh.py too)."""

STRINGS: dict[str, str] = {
    # ------------------------------------------------------------------ How it works
    "how.title": "How it works",
    "how.caption": ("Each method's mechanism, rebuilt live from the stored model and the training split it was "
                    "trained on: the key formula, the idea, one view of the mechanism on the data, what to look for "
                    "(checked on the data) and how this project differs from the tutorial."),
    "how.model": "Model",
    "how.no_sections": "None of the stored models has a section here yet (item2vec, EGES, Airbnb, FM, DSSM, YouTubeDNN).",
    "how.missing": "The section for {model} is not written yet.",
    "how.pick_movie": "Movie (type part of a title)",
    "how.pick_user": "User",
    "how.look_for": "What to look for",
    "how.differs": "How this differs from the tutorial",
    "how.trained_on": "Stored model `{name}` ({model_class}), trained on the {split} split: {users:,} users, {items:,} films, {rows:,} training interactions.",

    # Item2Vec
    "how.item2vec.idea": ("Item2Vec treats each user's history as a *sentence* and each film as a *word*: skip-gram "
                          "learns to predict, from a centre film, the films around it, with a few random films as "
                          "negatives. Every film gets two vectors: an input vector **u** (as a centre) and an output "
                          "vector **v** (as a context); **u · v** is the score the model was trained on."),
    "how.item2vec.view_sequence": "sequence, window {window}",
    "how.item2vec.view_set": "set (every other film is context)",
    "how.item2vec.sentence_head": "User {user}'s history ({n} films) as a sentence; view: {view}",
    "how.item2vec.role_centre": "centre",
    "how.item2vec.role_context": "context (distance {d})",
    "how.item2vec.role_outside": "outside the window",
    "how.item2vec.pairs_head": "Contexts of this centre over all histories: {n:,} pairs with {contexts:,} films",
    "how.item2vec.hover_pairs": "%{customdata[0]} pairs from %{customdata[1]} users<br>%{x:.1f} used per epoch",
    "how.item2vec.axis_expected": "pairs used per epoch (expected)",
    "how.item2vec.col_similar": "Similar: cos(l2n(u)+l2n(v))",
    "how.item2vec.col_cooccur": "Appears near: u · v",
    "how.item2vec.lists_head": "The film's two lists",
    "how.item2vec.lists_caption": ("Left: films whose vectors point the same way (they appear in similar contexts). "
                                   "Right: the trained score, this film's input vector against every output vector "
                                   "(films that appear within its window, before or after it)."),
    "how.item2vec.look_shared": "The two lists share **{shared} of {k}** films here: \"similar\" and \"appears near\" are different questions.",
    "how.item2vec.look_pairs": ("**{n} of the {k}** films of the \"appears near\" list are among the 20 films most often "
                                "in this film's window ({any} of {k} are in its window at all): the trained score "
                                "follows the pair counts."),
    "how.item2vec.look_vectors": ("The pair counts are weighted: gensim shrinks the window at random for every centre, so "
                                  "a film at distance d counts with probability (window − d + 1) / window."),
    "how.item2vec.diff_context_sequence": ("**A sequence with window {window}, not a set.** The paper and the tutorial "
                                           "treat a history as an unordered set (every other film is context). On "
                                           "ML-100K the sequence view scores higher on U2I HR@10 (validation 0.231 vs "
                                           "0.161) and the set view on I2I (0.137 vs 0.110; BENCHMARKS.md, ablations)."),
    "how.item2vec.diff_context_set": ("**A set, as in the paper and the tutorial:** a history is shuffled every epoch and "
                                      "cut into chunks of at most {chunk} films; every other film of a chunk is context."),
    "how.item2vec.diff_set_window": "The stored gensim window that spans a whole chunk is {window}.",
    "how.item2vec.diff_negatives_uniform": ("**Uniform negatives** (ns_exponent 0), not gensim's default ∝ frequency^0.75: "
                                            "U2I HR@10 on validation 0.231 vs 0.188 (BENCHMARKS.md, ablations)."),
    "how.item2vec.diff_negatives_power": "Negatives drawn ∝ frequency^{e:g}.",
    "how.item2vec.diff_user": ("**The user vector is the mean input vector of the last {n} films**, scored against the "
                               "output vectors with the inner product: the skip-gram's own \"appears near\" score."),
    "how.item2vec.diff_similar": ("\"Similar\" uses l2n(u) + l2n(v) rather than input vectors alone, which put rarely "
                                  "seen films next to everything."),
    "how.item2vec.diff_skipgram": ("**Follows the tutorial's text over its code:** skip-gram (sg=1), not the code's CBOW "
                                   "default; min_count 1 (no film silently dropped), one worker (reproducible), "
                                   "string keys, {epochs} epochs."),

    # EGES
    "how.eges.idea": ("EGES builds a directed graph from users' sessions (histories cut at gaps over {gap} minutes): an "
                      "edge i → j counts how often j follows i. Weighted random walks on that graph are the sentences of "
                      "a skip-gram, and each film's vector H_v mixes its id embedding with its side information "
                      "(genres, year, popularity) with attention weights learned per film."),
    "how.eges.depth": "Ego network depth",
    "how.eges.tab_graph": "Session graph",
    "how.eges.tab_walks": "Weighted walks",
    "how.eges.tab_att": "H_v from its fields",
    "how.eges.hover_node": "out-weight %{customdata[1]} · in-weight %{customdata[2]} (in this drawing)",
    "how.eges.ego_caption": ("{nodes} films and {edges} directed edges (each film expanded to its 8 heaviest "
                             "neighbours). Edge width = transition count; arrows point the way users went inside "
                             "sessions of gaps up to {gap} minutes."),
    "how.eges.no_edges": "This film has no edge in the session graph: it was never next to another film within a session.",
    "how.eges.first_step_head": "First step: {n} possible next films, P = M_ij / Σ M_ij",
    "how.eges.walks_head": "{n} walks of length {length} sampled from this film (the stored walk settings, seed 0)",
    "how.eges.walks_caption": ("Training samples {wpn} walks from every node and takes (centre, context) pairs within "
                               "{window} positions on both sides. — marks a dead end (no out-edge)."),
    "how.eges.recompose": "Σ a_v^j W_v^j recomposes the stored H_v to within {err:.1e} (max absolute difference).",
    "how.eges.recompose_derived": ("This stored model does not keep its id table, so the id part is H_v minus the side "
                                   "parts (retrain EGES to check the sum independently)."),
    "how.eges.cold_item": "This film was never a walk centre: the stored vector is its cold-start vector, not H_v.",
    "how.eges.look_first_step": ("From here a walk has {n} possible first steps; the heaviest edge, to {title}, is "
                                 "taken with probability {p:.2f}, not 1/{n}."),
    "how.eges.look_dead_end": "This film has no out-edge: every walk from it stops at once.",
    "how.eges.look_walks": "**{ok} of {n}** walk steps follow an edge of the session graph (a walk never jumps).",
    "how.eges.look_att": "The largest attention weight here is on **{field}** ({w:.2f}); the weights sum to 1.",
    "how.eges.diff_graph": ("**A directed, weighted graph** ({nodes:,} nodes, {edges:,} edges), walked with P = M_ij / "
                            "Σ M_ij; the tutorial's code builds an undirected nx.Graph and steps uniformly."),
    "how.eges.diff_formula": ("**Follows the paper's text:** the walk formula's second case is \"0 if e_ij ∉ E\" (the "
                              "tutorial's formula has a typo there); a walk never steps off an edge (checked above)."),
    "how.eges.diff_popularity": ("**Popularity is a side field** (a bucket of the training count), not in the tutorial: "
                                 "U2I HR@10 on validation 0.178 with it vs 0.169 without (BENCHMARKS.md, ablations)."),
    "how.eges.diff_no_popularity": "Side fields: genres and year only, as in the tutorial.",
    "how.eges.diff_cold_attention": ("**Cold start is attention-weighted** over genre and year (the fields' mean learned "
                                     "attention); the tutorial takes a plain mean (genre overlap@10 of the cold-start "
                                     "neighbours on validation 0.656 vs 0.611)."),
    "how.eges.diff_cold_mean": "Cold start is the plain mean of the side-information vectors, as in the tutorial.",
    "how.eges.diff_user": ("The user vector is the mean H of the last {n} known films, scored against the context "
                           "vectors Z with the inner product."),

    # Airbnb
    "how.airbnb.idea": ("Airbnb cuts each user's clicks into sessions at gaps over {gap} minutes and runs skip-gram "
                        "inside them. Two additions: the session's *booked* listing is a context for every listing of "
                        "the session however far apart, and some negatives come from the same *market*, so the model "
                        "must separate listings within a market, not only across markets."),
    "how.airbnb.legend_film": "film",
    "how.airbnb.legend_booked": "booked",
    "how.airbnb.axis_session": "session",
    "how.airbnb.no_history": "This user has no training interactions.",
    "how.airbnb.timeline_head": "{sessions} sessions (gaps over {gap} minutes), {booked} with a booked film ★",
    "how.airbnb.session_label": "Session {i}: {n} films {booked}",
    "how.airbnb.pick_session": "Session",
    "how.airbnb.session_head": "The session's {n} films, in time order",
    "how.airbnb.pairs_head": "{window} window pairs (window {w}, both directions) and {glob} global-context pairs",
    "how.airbnb.neg_head": "Negatives for {title} (market: {market}), {n} from each source",
    "how.airbnb.neg_caption": ("Training draws {k_market} from the market and {k_cat} from the catalogue per pair "
                               "(market share {share:g}); here {n} of each are drawn to compare them (seed 0)."),
    "how.airbnb.neg_market": "**Same market**",
    "how.airbnb.neg_catalogue": "**Whole catalogue**",
    "how.airbnb.look_sessions": ("This user has {sessions} sessions, {booked} booked; over the training split "
                                 "{total:,} of {all_sessions:,} sessions have a booking."),
    "how.airbnb.look_global": ("The {glob} global-context pairs tie every film of the session to its booked film, "
                               "however far apart they are: the window alone would miss the distant ones."),
    "how.airbnb.look_no_booking": "This session has no booked film, so it adds window pairs only (an exploratory session).",
    "how.airbnb.look_market": ("**{m} of {n}** market negatives share the centre's market, against **{c} of {n}** "
                               "catalogue negatives ({share:.0%} of trained films are in that market)."),
    "how.airbnb.rule_top_rated": "a session's highest-rated film, if rated at least {r:g} (the latest of ties)",
    "how.airbnb.rule_ends_session": "a session's last film, if rated at least {r:g} (a booking ends the session)",
    "how.airbnb.diff_booking": ("**MovieLens has no bookings or markets.** Here a booking is {rule}; a market is a "
                                "film's most specific genre (the one the fewest films list)."),
    "how.airbnb.diff_market": ("**Same-market negatives: {share:g} of each pair's negatives** ({k} of {neg}). On "
                               "ML-100K they help I2I a little (validation 0.154 vs 0.147 without) and hurt U2I "
                               "(0.204 vs 0.213), the opposite of the paper's claim for U2I (BENCHMARKS.md, ablations)."),
    "how.airbnb.diff_global": ("The booked film as global context: I2I HR@10 on validation 0.154 with it vs 0.143 "
                               "without (BENCHMARKS.md, ablations)."),
    "how.airbnb.diff_no_global": "This model was trained without the booked-film global context.",
    "how.airbnb.diff_no_code": ("The tutorial describes Airbnb but gives no code; the trainer here is numpy (gensim "
                                "cannot add the global-context term), with exact gradients checked in the tests."),
    "how.airbnb.diff_user": ("The user vector is the mean input vector of the last {n} known films against the "
                             "output vectors (Airbnb's paper builds user-type embeddings instead)."),

    # ------------------------------------------------------------------ the other pages' explainers
    'items.caption': "Nearest items in each model's item space. Above each list, one sentence says which vectors and which similarity it uses, and whether that is the score the model was trained on. Models come from the sidebar; the view is in the URL (share it).",
    'items.side_by_side': "Each model's top-{k}, side by side. Shaded: listed by more than one model, darker when more do ({shared} such item(s) across {models} models). Scores, genres and what each score is: below, per model.",
    'items.heatmap_needs_two': 'Select two or more models for the overlap heatmap.',
    'users.caption': "Each model's top-K items for a user, the user's training items excluded (as in the evaluation). The held-out test item is highlighted wherever a model recalls it.",
    'users.single': 'This user has a single interaction: nothing is held out.',
    'users.side_by_side': "Each model's top-{k}, side by side; the held-out item is shaded where a model recalls it. Scores, genres and what each score is: below, per model.",
    'maps.caption': "UMAP of each model's item vectors (cosine, seed 42). Each map is computed once per model and setting, then read from the model's folder in the store. Hover a point for its title.",
    'serving.caption': "Evaluation and every list in this app score exactly. Serving at scale would not: item vectors go into an approximate nearest-neighbour (ANN) index. This page measures what that costs for a model's own vectors, as recall@{recall_k} against exact search, next to the time of one top-{latency_k} query on one thread and the index's memory.",
    'eges.caption': "EGES mixes an item's id embedding with side-information embeddings (genres, year, popularity) using weights learned per item. The method's claim: sparse items lean on side information.",
    'eges.never_centre': 'Never a walk centre in training: its attention row received no gradient, so its weights are still the uniform start, and its vector is the cold-start one.',
    'eges.exposure_note': "An item's attention row moves only in training steps where it is a walk centre, so a raw correlation with its number of interactions can come from how often it was updated. The verdict compares items that were walk centres about equally often.",
    'eges.kinds_note': "The method's other claim. Primary genre = a movie's most specific genre, the one the fewest movies list (Toy Story → Animation); year band = release decade. Groups also differ in interactions and exposure (see the medians), so compare with the relative view.",
    'eges.cold_note': "A movie that does not exist: choose its genres and year; EGES embeds it from side information alone (its genre and year embeddings, mixed by the model's average attention on those fields) and finds the nearest real movies.",
    'dssm.tau_note': 'Lower τ sharpens the distribution (entropy falls, the top item takes more mass); higher τ flattens it towards uniform. The ranking itself does not change with τ at inference.',
    'dssm.caption': 'τ decides how peaked that softmax is: at inference (a) and as a training choice (b).',
    'overview.metrics_note': 'Each user has one held-out film, so Recall@{k} equals HR@{k} and Precision@{k} equals HR@{k} / {k}: they are not shown twice. **mostpop** and **transition** are references, not embedding models: ',
    'overview.empty_store': 'The store `{store}` has no trained model yet. Choose models and press **Train** (most-popular and Item2Vec take seconds). The most-popular row below is computed on the spot.',
    'overview.transition_computed': 'Computed from the training split whenever the leaderboard is read; nothing is stored.',
    'state.no_models': 'No trained models in `{store}` yet. Train them on the Overview page (or run `python -m recall_core train --models all`).',
}
