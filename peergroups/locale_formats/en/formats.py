# "7 Dec 2026": day before month reads the same to British, Irish and international readers.
DATE_FORMAT = "D j M Y"  # Mon 7 Dec 2026
DATETIME_FORMAT = "D j M Y, H:i"  # Mon 7 Dec 2026, 18:00
SHORT_DATE_FORMAT = "j M Y"  # 7 Dec 2026
SHORT_DATETIME_FORMAT = "j M Y H:i"  # 7 Dec 2026 18:00
MONTH_DAY_FORMAT = "j M"  # 7 Dec
YEAR_MONTH_FORMAT = "F Y"  # December 2026
TIME_FORMAT = "H:i"
# Date inputs are <input type="date">: the browser sends and shows ISO dates.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d %b %Y", "%d %B %Y"]
