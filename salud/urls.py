from django.urls import path

from . import views

app_name = "salud"

urlpatterns = [
    path("clinica/<int:centro_id>/<int:anio>/<int:mes>/", views.mes_clinica, name="mes"),
]
