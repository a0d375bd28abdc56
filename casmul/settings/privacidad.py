"""Personal data (LOPDP): what the browser may load and keep."""

APPS_PRIVACIDAD: list[str] = []
MIDDLEWARE_PRIVACIDAD: list[str] = []
