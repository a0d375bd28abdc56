from django.urls import path

from .views import beneficiarios, completitud, mensual

app_name = "centros"

urlpatterns = [
    path("<int:centro_id>/<int:anio>/sin-atencion/", mensual.sin_atencion, name="sin_atencion"),
    path("<int:centro_id>/<int:anio>/", mensual.anio, name="anio"),
    path("<int:centro_id>/<int:anio>/<int:mes>/", mensual.mes, name="mes"),
    path("completitud/<int:anio>/", completitud.matriz, name="completitud"),
    path("completitud/<int:anio>/aprobar/", completitud.aprobar, name="aprobar"),
    path("completitud/<int:anio>/plazo/", completitud.plazo, name="plazo"),
    path("reportes/<int:reporte_id>/reabrir/", completitud.reabrir, name="reabrir"),
    path("reportes/<int:reporte_id>/revisar/", completitud.revisar, name="revisar"),
    path(
        "<int:centro_id>/<int:anio>/enviar-borradores/",
        mensual.enviar_borradores,
        name="enviar_borradores",
    ),
    path("beneficiarios/", beneficiarios.lista, name="beneficiarios"),
    path("beneficiarios/exportar/", beneficiarios.exportar, name="beneficiarios_exportar"),
    path("beneficiarios/buscar/", beneficiarios.buscar, name="beneficiarios_buscar"),
    path("beneficiarios/inscribir/", beneficiarios.inscribir, name="beneficiario_inscribir"),
    path("beneficiarios/duplicados/", beneficiarios.duplicados, name="beneficiarios_duplicados"),
    path(
        "beneficiarios/resumen/<int:anio>/",
        beneficiarios.resumen,
        name="beneficiarios_resumen",
    ),
    path("beneficiarios/<int:beneficiario_id>/", beneficiarios.detalle, name="beneficiario"),
    path(
        "beneficiarios/<int:beneficiario_id>/exportar/",
        beneficiarios.exportar_persona,
        name="beneficiario_exportar",
    ),
    path(
        "beneficiarios/<int:beneficiario_id>/anonimizar/",
        beneficiarios.anonimizar,
        name="beneficiario_anonimizar",
    ),
    path(
        "beneficiarios/inscripciones/<int:inscripcion_id>/salida/",
        beneficiarios.salida,
        name="inscripcion_salida",
    ),
]
