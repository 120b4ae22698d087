#!/usr/bin/env python3
"""Regenerates src/text/wordfreq/*.txt, the background word frequencies the summariser uses.

    python3 -m venv /tmp/wf && /tmp/wf/bin/pip install wordfreq==3.1.1
    /tmp/wf/bin/python scripts/gen_wordfreq.py

Each file holds lines "Z word word ...": the words (folded as herald folds them: lower case, diacritics
dropped, letters and digits only) whose Zipf frequency rounds to Z/10. English keeps words at Zipf 2.5 and up
(about 50,000) and the numbers 0-9999 that reach it; the Cyrillic file merges the 30,000 most frequent Ukrainian
and Russian words (a word in both keeps the higher value). The data comes from wordfreq (Robyn Speer), CC BY-SA 4.0; see src/text/wordfreq/README.md.
"""
import os
import unicodedata
from collections import defaultdict

from wordfreq import top_n_list, zipf_frequency

OUT = os.path.join(os.path.dirname(__file__), "..", "src", "text", "wordfreq")


def fold(w):
    return "".join(c for c in unicodedata.normalize("NFD", w) if not unicodedata.combining(c)).lower()


def table(langs, n, floor, numbers):
    best = {}
    for lang in langs:
        for w in top_n_list(lang, n, wordlist="best"):
            z = zipf_frequency(w, lang)
            f = fold(w)
            if z < floor or not f.isalnum() or any(c.isdigit() for c in f):
                continue
            q = round(z * 10)
            if q > best.get(f, -1):
                best[f] = q
        # wordfreq lists numbers in a merged form ("a000"); it still knows each one, and years are common.
        for k in range(10000 if numbers else 0):
            q = round(zipf_frequency(str(k), lang) * 10)
            if q >= floor * 10 and q > best.get(str(k), -1):
                best[str(k)] = q
    return best


def write(name, best):
    by = defaultdict(list)
    for w, q in best.items():
        by[q].append(w)
    with open(os.path.join(OUT, name), "w", encoding="utf-8") as o:
        for q in sorted(by, reverse=True):
            o.write(f"{q} {' '.join(sorted(by[q]))}\n")
    print(name, len(best))


write("en.txt", table(["en"], 60000, 2.5, True))
write("cyrillic.txt", table(["uk", "ru"], 30000, 0.0, False))
