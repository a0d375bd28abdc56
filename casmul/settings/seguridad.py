"""Authentication: who may log in, how often they may fail, how long a session lasts."""

APPS_SEGURIDAD: list[str] = []
MIDDLEWARE_SEGURIDAD: list[str] = []
