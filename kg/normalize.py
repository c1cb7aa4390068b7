"""The one normaliser of names: what makes ｶﾝｵﾝｼﾞ, カンオンジ, かんおんじ and Kan'onji compare equal.

Used by search, reconciliation, CSV enrichment, the label parameters of the canned queries and
the SPARQL function ``sckgfn:normalize``, so that all of them agree on what "the same name" is.

INTERFACE STUB (issue 11): the full rules (width, kana, romaji, 異体字, suffixes) replace this body;
the signatures stay.

>>> normalize("ＡＢＣ　ｄ")
'abcd'
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache


@lru_cache(maxsize=65536)
def normalize(text: str) -> str:
    """The comparison form of ``text`` (equal forms = the same name as people write it)."""
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())
