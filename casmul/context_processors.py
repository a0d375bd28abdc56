from django.conf import settings


def portal(request):
    return {
        "institucion_nombre": settings.INSTITUCION_NOMBRE,
        "institucion_siglas": settings.INSTITUCION_SIGLAS,
    }
