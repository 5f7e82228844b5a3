"""Date formats for the family languages Django has none for (Somali,
Tigrinya) or lacks one of (Arabic's date with time); see FORMAT_MODULE_PATH
in settings. The others use Django's own:
family pages show dates with the named formats (`|date:"DATE_FORMAT"`,
`|date:"DATETIME_FORMAT"`), so each language writes a date its own way
(Polish "29 listopada 2026", Arabic "29 نوفمبر، 2026")."""
