"""How each language writes dates (settings.FORMAT_MODULE_PATH): templates ask for a named
format (`|date:"SHORT_DATE_FORMAT"`), and these say what it is in English and German.
Formats not set here are Django's own for the language."""
