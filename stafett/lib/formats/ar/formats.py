# Django's Arabic formats lack a date with time (it would fall back to the
# English "N j, Y, P"); the rest are Django's own.
DATETIME_FORMAT = "j F، Y H:i"
