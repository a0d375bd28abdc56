from django.urls import path

from . import views

app_name = "presupuesto"

urlpatterns = [
    path("", views.indice, name="indice"),
    path("lineas/", views.lineas, name="lineas"),
    path("lineas/nueva/", views.linea_editar, name="linea_crear"),
    path("lineas/<int:pk>/", views.linea_editar, name="linea_editar"),
    path("institucional/", views.institucional, name="institucional"),
    path("institucional/nuevo/", views.institucional_editar, name="institucional_crear"),
    path("institucional/<int:pk>/", views.institucional_editar, name="institucional_editar"),
    path("gastos-comunes/", views.gastos, name="gastos"),
    path("gastos-comunes/nuevo/", views.gasto_editar, name="gasto_crear"),
    path("gastos-comunes/<int:pk>/", views.gasto_editar, name="gasto_editar"),
    path("contratacion/", views.procesos, name="procesos"),
    path("contratacion/nuevo/", views.proceso_editar, name="proceso_crear"),
    path("contratacion/<int:pk>/", views.proceso_editar, name="proceso_editar"),
]
