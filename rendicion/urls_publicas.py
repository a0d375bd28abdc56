"""The published reports: public documents, reachable without logging in."""

from django.urls import path

from .views import publicaciones

app_name = "publicaciones"

urlpatterns = [
    path("", publicaciones.archivo, name="archivo"),
    path("verificar/", publicaciones.verificar, name="verificar"),
    path("<int:anio>/v<int:version>/<str:tipo>/", publicaciones.descargar, name="descargar"),
]
