"""bench/app_lang.py's table: medians per language and their ratio, from planted times."""
from __future__ import annotations


def test_block_holds_the_medians_and_their_ratio():
    from bench.app_lang import END, START, render

    times = {"en": {"overview · first render": [1.0, 3.0, 2.0], "how it works: fm · first render": [0.5, 0.4, 0.6],
                    "only english": [9.0]},
             "zh": {"overview · first render": [2.2, 2.0, 9.0], "how it works: fm · first render": [0.5, 0.5, 0.5]}}
    block = render(times, "python bench/app_lang.py --rounds 3", "a machine", "2026-12-07 10:00 UTC", 3)
    assert block.startswith(START) and block.endswith(END)
    # medians 2.0 and 2.2, ranges 1–3 and 2–9 overlap
    assert "| overview · first render | 2.000 (1.000–3.000) | 2.200 (2.000–9.000) | 1.10 | yes |" in block
    assert "| how it works: fm · first render | 0.500 (0.400–0.600) | 0.500 (0.500–0.500) | 1.00 | yes |" in block
    assert "only english" not in block  # a row measured in one language only is left out
    assert "Median zh / en over the 2 rows: 1.05 (from 1.00 to 1.10); the two languages' ranges over the runs " \
           "overlap in 2 of 2 rows." in block
    apart = render({"en": {"r": [1.0, 1.1]}, "zh": {"r": [2.0, 2.5]}}, "c", "m", "d", 2)
    assert "| r | 1.050 (1.000–1.100) | 2.250 (2.000–2.500) | 2.14 | no |" in apart
