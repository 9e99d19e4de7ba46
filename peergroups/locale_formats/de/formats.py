DATE_FORMAT = "D, j. M Y"  # Mo, 7. Dez 2026
DATETIME_FORMAT = "D, j. M Y, H:i"  # Mo, 7. Dez 2026, 18:00
SHORT_DATE_FORMAT = "j. M Y"  # 7. Dez 2026
SHORT_DATETIME_FORMAT = "j. M Y, H:i"  # 7. Dez 2026, 18:00
MONTH_DAY_FORMAT = "j. M"  # 7. Dez
YEAR_MONTH_FORMAT = "F Y"  # Dezember 2026
TIME_FORMAT = "H:i"
# Date inputs are <input type="date">: the browser sends and shows ISO dates, so ISO
# comes first (Django's German formats start with 07.12.2026, which such an input drops).
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y"]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
]
