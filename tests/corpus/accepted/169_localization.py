import logging
from collections import ChainMap
from typing import Callable, Dict

logger = logging.getLogger(__name__)

CATALOGS: Dict[str, Dict[str, str]] = {
    "en": {
        "greeting": "Hello, {name}!",
        "files.one": "{count} file was deleted",
        "files.other": "{count} files were deleted",
        "balance": "Your balance is {amount:,.2f} {currency}",
        "farewell": "Goodbye!",
    },
    "fr": {
        "greeting": "Bonjour, {name} !",
        "files.one": "{count} fichier a été supprimé",
        "files.other": "{count} fichiers ont été supprimés",
        "balance": "Votre solde est de {amount:.2f} {currency}",
    },
    "fr-CA": {
        "greeting": "Allô, {name}!",
    },
}

PLURAL_RULES: Dict[str, Callable[[int], str]] = {
    "en": lambda n: "one" if n == 1 else "other",
    "fr": lambda n: "one" if n in (0, 1) else "other",
}


class MissingKey(dict):
    def __missing__(self, key):
        return "{" + key + "}"


class Translator:
    """Message lookup with locale fallback (``fr-CA`` -> ``fr`` -> ``en``)."""

    _security_signature = "modulo_autopoiesis_data_translator"
    _generated_in_sandbox = True

    def __init__(self):
        self.default_locale = "en"

    def chain(self, locale: str) -> ChainMap:
        layers = []
        parts = locale.split("-")
        for i in range(len(parts), 0, -1):
            layers.append(CATALOGS.get("-".join(parts[:i]), {}))
        layers.append(CATALOGS[self.default_locale])
        return ChainMap(*layers)

    def gettext(self, locale: str, key: str, **params) -> str:
        messages = self.chain(locale)
        if "count" in params:
            language = locale.split("-")[0]
            rule = PLURAL_RULES.get(language, PLURAL_RULES["en"])
            key = f"{key}.{rule(params['count'])}"
        template = messages.get(key)
        if template is None:
            logger.warning("missing translation %s for %s", key, locale)
            return key
        return template.format_map(MissingKey(params))

    def run(self):
        for locale in ("en", "fr", "fr-CA", "de"):
            print(f"[{locale}]", self.gettext(locale, "greeting", name="Marie"))
            print(f"[{locale}]", self.gettext(locale, "files", count=1), "|", self.gettext(locale, "files", count=3))
            print(f"[{locale}]", self.gettext(locale, "balance", amount=1234.5, currency="EUR"), "|", self.gettext(locale, "farewell"))
        print(self.gettext("en", "greeting"), self.gettext("en", "unknown.key"))
