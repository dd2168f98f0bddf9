"""One language per page: the reader's choice from ``?lang=`` or ``Accept-Language``
(English by default), and the label to show for a term in that language."""

from __future__ import annotations

from collections.abc import Iterable

LANGUAGES = ("en", "fr")
NAMES = {"en": "English", "fr": "français"}


def choose_language(parameter: str | None, header: str | None) -> str:
    """``?lang=`` if it names a language we have, else the best of ``Accept-Language``, else en.

    >>> choose_language(None, "fr-FR,fr;q=0.9,en;q=0.8")
    'fr'
    >>> choose_language(None, "de, en;q=0.5, fr;q=0.4")
    'en'
    >>> choose_language("fr", "en")
    'fr'
    """
    if parameter in LANGUAGES:
        return parameter
    best, best_q = "en", -1.0
    for order, element in enumerate((header or "").split(",")):
        tag, *params = element.strip().split(";")
        primary = tag.strip().lower().split("-")[0]
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if primary in LANGUAGES and q > best_q and q > 0:
            best, best_q = primary, q - order * 1e-6
    return best


def pick_label(labels: Iterable[tuple[str, str]], lang: str) -> str | None:
    """The label in ``lang``, else English, else one without a tag, else any (sorted).

    >>> pick_label([("tumeur", "fr"), ("tumour", "en")], "fr")
    'tumeur'
    >>> pick_label([("tumour", "en"), ("tumeur", "fr")], "en")
    'tumour'
    """
    picked = pick_tagged(labels, lang)
    return picked[0] if picked else None


def pick_tagged(labels: Iterable[tuple[str, str]], lang: str) -> tuple[str, str] | None:
    """:func:`pick_label`'s label with its language (primary subtag, ``""`` when untagged).

    >>> pick_tagged([("tumeur", "fr-FR"), ("tumour", "en")], "fr")
    ('tumeur', 'fr')
    >>> pick_tagged([("KIT", "")], "fr")
    ('KIT', '')
    """
    by_lang: dict[str, list[str]] = {}
    for value, tag in labels:
        by_lang.setdefault(tag.lower().split("-")[0], []).append(value)
    for key in (lang, "en", ""):
        if by_lang.get(key):
            return sorted(by_lang[key])[0], key
    rest = sorted((v, key) for key, values in by_lang.items() for v in values)
    return rest[0] if rest else None


#: the language of the pages' own words (headings, table heads, notes): the ``lang`` of every
#: page, whatever language its labels are shown in (review r16 browser F11, WCAG 3.1.1/3.1.2)
PAGE_LANGUAGE = "en"


def lang_attribute(tag: str) -> str:
    """`` lang="fr"`` for a text in a language other than the page's; ``""`` otherwise.

    >>> lang_attribute("fr"), lang_attribute("en"), lang_attribute("")
    (' lang="fr"', '', '')
    """
    return f' lang="{tag}"' if tag and tag != PAGE_LANGUAGE and tag.isalpha() else ""
