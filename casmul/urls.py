import re
from pathlib import Path

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.views.static import serve

from casmul import views_importar, views_tareas

admin.site.site_header = "Administración del portal CASMUL"
admin.site.site_title = "Portal CASMUL"
admin.site.index_title = "Registros"

urlpatterns = [
    path("", include("centros.urls_inicio")),
    path("ingresar/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("salir/", auth_views.LogoutView.as_view(), name="logout"),
    path("centros/", include("centros.urls")),
    path("salud/", include("salud.urls")),
    path("convenios/", include("convenios.urls")),
    path("presupuesto/", include("presupuesto.urls")),
    path("rendicion/", include("rendicion.urls")),
    path("publicaciones/", include("rendicion.urls_publicas")),
    path("publicaciones/", include("participacion.urls_publicas")),
    path("participacion/", include("participacion.urls")),
    path("admin/", admin.site.urls),
    path(
        "importar/plantilla/<slug:tipo>.xlsx",
        views_importar.plantilla,
        name="importar_plantilla",
    ),
    path("importar/", views_importar.indice, name="importar_indice"),
    path("importar/<slug:tipo>/", views_importar.tipo, name="importar_tipo"),
    path("importar/<slug:tipo>/confirmar/", views_importar.confirmar, name="importar_confirmar"),
    path("tareas/<str:tarea_id>.json", views_tareas.tarea_estado, name="tarea_estado"),
    path("tareas/<str:tarea_id>/", views_tareas.tarea, name="tarea"),
    path(
        "tareas/<str:tarea_id>/reintentar/",
        views_tareas.tarea_reintentar_vista,
        name="tarea_reintentar",
    ),
    path("tareas/<str:tarea_id>/archivo/", views_tareas.tarea_archivo, name="tarea_archivo"),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
elif getattr(settings, "SERVIR_FOTOS_DE_CENTROS", False):
    # `make run` (casmul.settings.local) with DEBUG off: the photos as nginx serves them in
    # production, not the rest of the media (agreements and publications go through their
    # views, which check who asks). `static()` would add nothing without DEBUG.
    urlpatterns += [
        re_path(
            rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}centros/fotos/(?P<path>.*)$",
            serve,
            {"document_root": Path(settings.MEDIA_ROOT) / "centros" / "fotos"},
        )
    ]
