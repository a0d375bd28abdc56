"""Every date the portal prints is Loja's (America/Guayaquil, UTC−5), never the server's UTC:
a version published at 23:30 in Loja is published that day on the archive, on its
verification page and for `manage.py verificar`."""

import datetime
import io
from zoneinfo import ZoneInfo

from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tests.factories import PublicacionFactory

LOJA = ZoneInfo("America/Guayaquil")


def test_a_publication_at_half_past_eleven_at_night_is_of_that_day_everywhere(db, tmp_path):
    # 23:30 of 6 December in Loja is already 7 December in UTC.
    publicada = datetime.datetime(2026, 12, 6, 23, 30, tzinfo=LOJA)
    PublicacionFactory(anio=2026, version=1, publicado_en=publicada)
    copia = tmp_path / "informe.pdf"
    copia.write_bytes(b"%PDF-1.7")  # the factory's PDF
    salida = io.StringIO()

    call_command("verificar", str(copia), stdout=salida)
    archivo = Client().get(reverse("publicaciones:archivo")).content.decode()
    cliente = Client()
    with copia.open("rb") as pdf:
        verificacion = cliente.post(reverse("publicaciones:verificar"), {"archivo": pdf})

    assert publicada.astimezone(datetime.UTC).day == 7
    assert "publicada el 06/12/2026" in salida.getvalue()
    assert "06/12/2026" in archivo and "07/12/2026" not in archivo
    assert "publicada el 06/12/2026" in verificacion.content.decode()
