from django.urls import path

from . import views

app_name = "participacion"

urlpatterns = [
    path("<int:anio>/", views.anio, name="anio"),
    path("<int:anio>/evidencias/", views.evidencia_subir, name="evidencia_subir"),
    path("<int:anio>/deliberacion/", views.deliberacion, name="deliberacion"),
    path("<int:anio>/registros/", views.registros, name="registros"),
    path("sugerencias/<int:sugerencia_id>/", views.sugerencia, name="sugerencia"),
]
