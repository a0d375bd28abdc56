"""The home page, at the site root and outside the `centros` namespace: the project's URLconf
includes it by name, so that `casmul` does not import this app."""

from django.urls import path

from .views.avisos import mis_avisos
from .views.inicio import inicio

urlpatterns = [
    path("", inicio, name="inicio"),
    path("mis-avisos/", mis_avisos, name="mis_avisos"),
]
