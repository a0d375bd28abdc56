from django.core.checks import Error, register

PAQUETES_DEBIAN = "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core"


@register("sistema")
def weasyprint_disponible(app_configs, **kwargs):
    """The PDF needs Pango from the system: say exactly what to install when it is missing."""
    try:
        import weasyprint  # noqa: F401
    except OSError as error:
        return [
            Error(
                f"WeasyPrint no encuentra las bibliotecas del sistema ({error}).",
                hint=f"En Debian/Ubuntu: sudo apt-get install {PAQUETES_DEBIAN}",
                id="casmul.E001",
            )
        ]
    return []
