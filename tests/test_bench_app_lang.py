"""bench/app_lang.py's table: medians per language and their ratio, from planted times."""
from __future__ import annotations


def test_block_holds_the_medians_and_their_ratio():
    from bench.app_lang import END, START, render

    times = {"en": {"overview · first render": [1.0, 3.0, 2.0], "how it works: fm · first render": [0.5, 0.4, 0.6],
                    "only english": [9.0]},
             "zh": {"overview · first render": [2.2, 2.0, 9.0], "how it works: fm · first render": [0.5, 0.5, 0.5]}}
    block = render(times, "python bench/app_lang.py --rounds 3", "a machine", "2026-12-07 10:00 UTC", 3)
    assert block.startswith(START) and block.endswith(END)
    assert "| overview · first render | 2.000 | 2.200 | 1.10 |" in block  # medians 2.0 and 2.2
    assert "| how it works: fm · first render | 0.500 | 0.500 | 1.00 |" in block
    assert "only english" not in block  # a row measured in one language only is left out
    assert "Median zh / en over the 2 rows: 1.05 (from 1.00 to 1.10)." in block
