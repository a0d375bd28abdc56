from django.urls import path

from . import views

app_name = "convenios"

urlpatterns = [
    path("", views.lista, name="lista"),
    path("nuevo/", views.crear, name="crear"),
    path("<int:convenio_id>/", views.detalle, name="detalle"),
    path("<int:convenio_id>/editar/", views.editar, name="editar"),
    path("<int:convenio_id>/renovar/", views.renovar, name="renovar"),
    path("<int:convenio_id>/documento/", views.documento, name="documento"),
]
