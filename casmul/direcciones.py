"""Addresses of the portal as its users reach it, for what is read outside it (an email, a
form filed in the CPCCS system)."""

from django.conf import settings


def direccion_publica(ruta: str) -> str:
    """The portal's absolute address of a path (`PORTAL_URL` + path)."""
    return settings.PORTAL_URL.rstrip("/") + ruta
