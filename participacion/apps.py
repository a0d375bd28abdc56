from django.apps import AppConfig


class ParticipacionConfig(AppConfig):
    name = "participacion"
    verbose_name = "Participación ciudadana (CPCCS)"
