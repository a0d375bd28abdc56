from django.urls import path

from .views import completitud, mensual

app_name = "centros"

urlpatterns = [
    path("<int:centro_id>/<int:anio>/", mensual.anio, name="anio"),
    path("<int:centro_id>/<int:anio>/<int:mes>/", mensual.mes, name="mes"),
    path("completitud/<int:anio>/", completitud.matriz, name="completitud"),
    path("completitud/<int:anio>/aprobar/", completitud.aprobar, name="aprobar"),
    path("reportes/<int:reporte_id>/reabrir/", completitud.reabrir, name="reabrir"),
    path("reportes/<int:reporte_id>/revisar/", completitud.revisar, name="revisar"),
    path(
        "<int:centro_id>/<int:anio>/enviar-borradores/",
        mensual.enviar_borradores,
        name="enviar_borradores",
    ),
]
