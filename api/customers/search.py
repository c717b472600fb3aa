"""Search terms: how a customer is found by name, email or distinct id.

A customer stores the normalised terms it can be found by; a query word matches
when it is a prefix of one of them. Matching is an anchored prefix on a
multikey index, so it is an index range scan on MongoDB and the user's text is
never a pattern or an operator (it is escaped).

Latin names are transliterated to ASCII and case folded, so "jose" finds
"José". A name in another script keeps its own (case-folded) words and gains
the romanisations people type for it, chosen by script and by the customer's
language: kanji and kana get their Japanese reading (pykakasi, Hepburn, long
vowels both spelled and dropped: 加藤 is "katou" and "kato"), Chinese characters
their pinyin without tones (pypinyin), Hangul the Revised Romanisation and the
usual spelling of common surnames (김 is "gim" and "kim"), other scripts two
transliteration tables (unidecode, anyascii: Greek η is "e" and "i"). Han
characters alone could be Japanese or Chinese: the language decides, and
without one both readings are kept. A query has no language, so its words are
folded the same way and a word in a script other than Han also looks for its
romanisation ("Иван" finds "Ivan"); Han words are looked for as written, since
their reading is the ambiguous one.
"""

from __future__ import annotations

import logging
import os
import re
import time
import unicodedata
from collections.abc import Iterable
from functools import cache
from typing import Any

from anyascii import anyascii
from unidecode import unidecode

from api.db.filters import all_of

log = logging.getLogger("api")

_WORD_SPLIT = re.compile(r"[^0-9a-z]+")
# The local part of an address is split where people join their names.
_LOCAL_SPLIT = re.compile(r"[._+\-]+")
# A 10 kB search string is legal input but only its first words can matter.
MAX_QUERY_WORDS = 8
MAX_WORD_LENGTH = 100
# A query word is at most MAX_WORD_LENGTH long, so a term cut to that length
# is matched exactly as the whole term would be; it keeps index keys small.
MAX_TERM_LENGTH = MAX_WORD_LENGTH
# Names in CJK scripts have no spaces between their parts (王伟, 김민준): every
# suffix of a short run is a term too, so the given name finds the customer.
MAX_SUFFIX_RUN = 10

HAN, KANA, HANGUL, LATIN, OTHER = "han", "kana", "hangul", "latin", "other"
_CJK = frozenset({HAN, KANA, HANGUL})

# Korean surnames as their bearers usually write them; Revised Romanisation
# alone would make Kim, Lee and Park (half of all Koreans) unfindable.
KOREAN_SURNAMES = {
    "김": ("kim",), "이": ("lee", "yi", "rhee"), "박": ("park", "pak"),
    "최": ("choi", "choe"), "정": ("jung", "chung"), "강": ("kang",),
    "조": ("cho", "jo"), "윤": ("yoon", "yun"), "장": ("jang", "chang"),
    "임": ("lim", "im"), "한": ("han",), "오": ("oh",), "서": ("seo", "suh"),
    "신": ("shin",), "권": ("kwon",), "황": ("hwang",), "안": ("ahn",),
    "송": ("song",), "류": ("ryu", "yoo"), "유": ("yoo", "yu"), "전": ("jeon", "chun"),
    "홍": ("hong",), "고": ("ko", "koh"), "문": ("moon",), "양": ("yang",),
    "손": ("son", "sohn"), "배": ("bae",), "백": ("baek", "paik"), "허": ("heo", "huh"),
    "남": ("nam",), "노": ("noh", "roh"), "하": ("ha",), "곽": ("kwak",),
    "성": ("sung",), "차": ("cha",), "주": ("joo", "ju"), "우": ("woo",),
    "구": ("koo", "ku"), "민": ("min",), "심": ("shim",), "엄": ("um", "eom"),
    "원": ("won",), "천": ("chun", "cheon"), "방": ("bang",), "공": ("kong",),
    "현": ("hyun",), "변": ("byun",), "염": ("yeom",), "여": ("yeo",),
    "추": ("choo",), "석": ("seok",), "선": ("sun",), "설": ("seol",),
    "길": ("gil", "kil"), "표": ("pyo",), "명": ("myung",), "기": ("ki",),
    "라": ("ra", "la"), "진": ("jin",), "지": ("ji",), "채": ("chae",), "탁": ("tak",),
}  # fmt: skip
# Chinese surnames read otherwise than the character's usual reading, which
# pypinyin gives (单 is "dan" in prose, "Shan" as a name).
CHINESE_SURNAME_READINGS = {
    "单": "shan", "曾": "zeng", "解": "xie", "仇": "qiu", "朴": "piao", "区": "ou",
    "查": "zha", "盖": "ge", "乐": "yue", "缪": "miao", "翟": "zhai", "覃": "qin",
    "尉": "yu", "种": "chong", "员": "yun", "秘": "bi", "繁": "po", "召": "shao",
    "句": "gou", "宓": "fu", "折": "she",
}  # fmt: skip
# Two-syllable Korean surnames: the rest of the name is the given name.
KOREAN_COMPOUND_SURNAMES = ("남궁", "황보", "제갈", "선우", "독고", "사공", "서문")


def normalize(text: str) -> str:
    return unidecode(text).casefold().strip()


def fold(text: str) -> str:
    """A word as written, compatibility-, case- and accent-folded: full-width
    letters are plain ones, half-width kana full-width ones, and Greek or
    Cyrillic letters lose their accents but stay Greek or Cyrillic."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(char for char in decomposed if not unicodedata.combining(char))
    return unicodedata.normalize("NFKC", kept).strip()


def script(char: str) -> str:
    name = unicodedata.name(char, "")
    if name.startswith(("CJK", "IDEOGRAPHIC")):
        return HAN
    if name.startswith(("HIRAGANA", "KATAKANA", "HALFWIDTH KATAKANA")):
        return KANA
    if name.startswith(("HANGUL", "HALFWIDTH HANGUL")):
        return HANGUL
    if name.startswith("LATIN") or char.isascii():
        return LATIN
    return OTHER if char.isalpha() else LATIN


def scripts(word: str) -> set[str]:
    return {script(char) for char in word}


def _language(tag: str | None) -> str:
    return (tag or "").split("-", 1)[0].casefold()


def _ascii(text: str) -> str:
    """A romanisation as a term: "Ken'ichi" is "kenichi"."""
    return _WORD_SPLIT.sub("", unidecode(text).casefold())


def _latin_terms(text: str) -> set[str]:
    terms: set[str] = set()
    for word in text.split():
        terms.add(word)
        # "jean-luc" is found by "jean-luc", "jean" and "luc".
        terms.update(part for part in _WORD_SPLIT.split(word) if part)
    return terms


def _spellings(parts: list[list[str]]) -> list[str]:
    """Every spelling of parts written one after the other (bounded: a part
    rarely has more than two)."""
    whole = [""]
    for spellings in parts:
        whole = [head + spelling for head in whole for spelling in spellings][:16]
    return [spelling for spelling in whole if spelling]


def _joined(parts: list[list[str]]) -> set[str]:
    """Each part, and the parts from each one to the end joined: [[wang], [wei]]
    gives wang, wei and wangwei, so "wei" finds 王伟 as "wei" finds 伟."""
    terms: set[str] = set()
    for start in range(len(parts)):
        terms.update(_spellings(parts[start:]))
        terms.update(parts[start])
    return terms - {""}


@cache
def _kakasi() -> Any:
    import pykakasi

    return pykakasi.kakasi()


def _long_vowels_dropped(romaji: str) -> str:
    # Passports and e-mail addresses write 加藤 (katō) as "kato".
    return romaji.replace("ou", "o").replace("oo", "o").replace("uu", "u")


def _unique(spellings: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(spelling for spelling in spellings if spelling))


def _japanese(word: str) -> list[list[str]]:
    parts = []
    for segment in _kakasi().convert(word):
        romaji = _ascii(segment["hepburn"])
        parts.append(_unique([romaji, _long_vowels_dropped(romaji)]))
    return [part for part in parts if part]


def _u_umlaut(spelling: str) -> list[str]:
    # ü is typed as v, u or yu (吕 is lv, lu, lyu).
    return [spelling, spelling.replace("v", "u"), spelling.replace("v", "yu")]


def _chinese(word: str) -> list[list[str]]:
    # The phrase dictionary (40 MB in memory, a second to load) reads words of
    # prose; names are read character by character anyway.
    os.environ.setdefault("PYPINYIN_NO_PHRASES", "1")
    os.environ.setdefault("PYPINYIN_NO_DICT_COPY", "1")
    from pypinyin import lazy_pinyin

    parts = [[_ascii(syllable)] for syllable in lazy_pinyin(word, errors="ignore")]
    if parts and word[0] in CHINESE_SURNAME_READINGS:
        parts[0].insert(0, CHINESE_SURNAME_READINGS[word[0]])
    return [
        part for part in (_unique(x for y in part for x in _u_umlaut(y)) for part in parts) if part
    ]


def _romanised(text: str) -> list[str]:
    from korean_romanizer.romanizer import Romanizer

    try:
        revised = _ascii(Romanizer(text).romanize())
    except (KeyError, IndexError, ValueError):
        # It knows only the finals of modern syllables (ᆭ alone raises).
        revised = ""
    return _unique([revised, _ascii(text)])


def _korean(word: str) -> list[list[str]]:
    """Surname and given name: 김민준 is [[gim, kim], [minjun]]."""
    length = 2 if len(word) > 2 and word.startswith(KOREAN_COMPOUND_SURNAMES) else 1
    surname, given = word[:length], word[length:]
    spellings = _unique([*_romanised(surname), *KOREAN_SURNAMES.get(surname, ())])
    return [part for part in (spellings, _romanised(given)) if part]


def load_readers() -> None:
    """Loads the Japanese, Chinese and Korean readers, which otherwise load on
    the first such name: over a second and about 170 MB, during which a
    request would hold the event loop. Servers call it in a thread at start-up
    (``api/server/readiness.py``), so every process costs the same from the
    start and no request waits for it."""
    began = time.perf_counter()
    for word, language in (("加藤", "ja"), ("王伟", "zh"), ("김민준", "ko")):
        word_terms(word, language)
    log.info("search readers loaded in %.1f s", time.perf_counter() - began)


def _readings(word: str, language: str | None) -> list[list[list[str]]]:
    """The romanisations of a CJK word, the likeliest first, each as its parts'
    spellings."""
    kinds = scripts(word)
    lang = _language(language)
    readings = []
    if HAN in kinds and KANA not in kinds and lang != "ja":
        readings.append(_chinese(word))
    if KANA in kinds or (HAN in kinds and HANGUL not in kinds and lang != "zh"):
        readings.insert(0 if lang == "ja" or KANA in kinds else 1, _japanese(word))
    if HANGUL in kinds:
        readings.append([_romanised(word)])  # with the sound changes across its parts
        readings.append(_korean(word))
    return [parts for parts in readings if parts]


def romanisation(text: str, language: str | None = None) -> str:
    """The likeliest ASCII spelling of a name, without separators: what it
    becomes in an e-mail address (the demo data writes them so)."""
    spellings = []
    for word in unicodedata.normalize("NFKC", text).split():
        readings = _readings(fold(word), language) if scripts(word) & _CJK else []
        spellings.append(_spellings(readings[0])[0] if readings else _ascii(word))
    return "".join(spellings)


def _suffixes(word: str) -> set[str]:
    if len(word) > MAX_SUFFIX_RUN:
        return {word}
    return {word[start:] for start in range(len(word))}


def word_terms(word: str, language: str | None = None) -> set[str]:
    """The terms of one word of a name, for a customer of ``language``."""
    kinds = scripts(word)
    if not kinds & _CJK:
        # "O'Neill" is also found by "oneill".
        terms = _latin_terms(normalize(word)) | {_ascii(word)}
        if OTHER in kinds:
            # Воробьёв is often written Воробьев: both are read, by both tables.
            for variant in {word, fold(word)}:
                terms |= _latin_terms(normalize(variant)) | {_ascii(variant)}
                terms |= _latin_terms(anyascii(variant).casefold()) | {_ascii(anyascii(variant))}
            terms.add(fold(word))
        return terms
    written = fold(word)
    terms = _suffixes(written)
    for parts in _readings(written, language):
        terms |= _joined(parts)
    return terms


def name_terms(name: str, language: str | None = None) -> set[str]:
    terms: set[str] = set()
    for word in unicodedata.normalize("NFKC", name).split():
        terms |= word_terms(word, language)
    return terms


def email_terms(email: str) -> set[str]:
    """The address, its local part, and the words of the local part:
    chiyo.kato+shop@example.com is found by "chiyo", "kato" and "shop"."""
    address = normalize(email)
    local = address.split("@", 1)[0]
    return {address, local} | {part for part in _LOCAL_SPLIT.split(local) if part}


def customer_terms(
    name: str, email: str | None, distinct_id: str, language: str | None = None
) -> list[str]:
    terms = name_terms(name, language)
    if email:
        terms |= email_terms(email)
    terms.add(normalize(distinct_id))
    if scripts(distinct_id) - {LATIN}:
        terms.add(fold(distinct_id))
    return sorted({term[:MAX_TERM_LENGTH] for term in terms} - {""})


def query_forms(word: str) -> list[str]:
    """What one query word may prefix: its ASCII form if it is Latin, else
    the word as written and, outside Han, its romanisations."""
    kinds = scripts(word)
    if kinds <= {LATIN}:
        return [normalize(word)[:MAX_WORD_LENGTH]]
    forms = [fold(word)]
    if not kinds & {HAN}:
        romanised: Iterable[str]
        if kinds & _CJK:
            romanised = [
                spelling for parts in _readings(forms[0], None) for spelling in _spellings(parts)
            ]
        else:
            romanised = {normalize(forms[0]), anyascii(forms[0]).casefold()}
        forms += sorted(set(romanised) - set(forms))
    return [form[:MAX_WORD_LENGTH] for form in forms if form]


def query_words(search: str) -> list[list[str]]:
    """The words of a search, each as the forms one of which must prefix some
    term of a match."""
    words: list[list[str]] = []
    for word in unicodedata.normalize("NFKC", search).split():
        forms = query_forms(word)
        if forms and forms not in words:
            words.append(forms)
    return words[:MAX_QUERY_WORDS]


def _prefix(form: str) -> dict[str, Any]:
    return {"searchTerms": {"$regex": "^" + re.escape(form)}}


def search_filter(search: str) -> dict[str, Any]:
    clauses: list[dict[str, Any]] = []
    for forms in query_words(search):
        if len(forms) == 1:
            clauses.append(_prefix(forms[0]))
        else:
            clauses.append({"$or": [_prefix(form) for form in forms]})
    return all_of(*clauses)


def sort_name(name: str) -> str:
    """The key NAME ordering uses: accents and case must not split the alphabet."""
    return " ".join(normalize(name).split())
