from django.urls import path

from .views import centro, comparacion, cpccs, detalle, informe, publicaciones, textos

app_name = "rendicion"

urlpatterns = [
    path("", informe.indice, name="indice"),
    path("<int:anio>/", informe.informe, name="informe"),
    path("<int:anio>/pdf/", informe.informe_pdf, name="informe_pdf"),
    path(
        "<int:anio>/tablas/<slug:tabla>.<str:formato>",
        informe.tabla_exportar,
        name="tabla_exportar",
    ),
    path("<int:anio>/textos/", textos.textos_editar, name="textos_editar"),
    path("<int:anio>/cpccs/", cpccs.formulario, name="cpccs"),
    path("<int:anio>/cpccs/formulario.xlsx", cpccs.formulario_xlsx, name="cpccs_xlsx"),
    path("<int:anio>/cpccs/formulario.pdf", cpccs.formulario_pdf, name="cpccs_pdf"),
    path("<int:anio>/cpccs/enlaces/", cpccs.enlaces_comprobar, name="cpccs_enlaces"),
    path("<int:anio>/publicar/", publicaciones.publicar, name="publicar"),
    path(
        "<int:anio>/detalle/usuarios/<int:centro_id>/",
        detalle.usuarios,
        name="detalle_usuarios",
    ),
    path(
        "<int:anio>/detalle/presupuesto/<int:area_id>/",
        detalle.presupuesto_del_area,
        name="detalle_presupuesto",
    ),
    path(
        "<int:anio>/detalle/contratacion/<slug:tipo>/",
        detalle.contratacion_del_tipo,
        name="detalle_contratacion",
    ),
    path(
        "<int:anio>/detalle/usuarios/area/<slug:area>/",
        detalle.usuarios_del_area,
        name="detalle_usuarios_area",
    ),
    path("<int:anio>/detalle/clinica/", detalle.clinica, name="detalle_clinica"),
    path(
        "<int:anio>/detalle/clinica/<slug:servicio>/",
        detalle.clinica,
        name="detalle_clinica_servicio",
    ),
    path("<int:anio>/detalle/convenios/", detalle.convenios_contados, name="detalle_convenios"),
    path(
        "<int:anio>/detalle/presupuesto/",
        detalle.presupuesto_del_area,
        name="detalle_presupuesto_total",
    ),
    path(
        "<int:anio>/detalle/contratacion/",
        detalle.contratacion_del_tipo,
        name="detalle_contratacion_total",
    ),
    path("<int:anio>/comparacion/", comparacion.comparacion, name="comparacion"),
    path("centros/<int:centro_id>/", centro.centro, name="centro"),
    path("nuevo/", textos.informe_crear, name="informe_crear"),
]
