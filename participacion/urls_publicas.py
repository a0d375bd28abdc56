"""Public documents of the process, beside the published reports: evidence files and the
plan de trabajo with its progress."""

from django.urls import path

from . import views

urlpatterns = [
    path("evidencias/<int:evidencia_id>/", views.evidencia, name="evidencia"),
    path("plan-de-trabajo/<int:anio>/", views.plan_de_trabajo, name="plan_de_trabajo"),
]
