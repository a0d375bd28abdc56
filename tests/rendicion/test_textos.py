"""Editing a year's narrative (texts, contact block, objectives, glossary, section 4, signatories)
and starting a new year from a copy of the previous one."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from casmul.roles import Rol
from casmul.services import usuario_con_rol_guardar
from rendicion.forms import EdicionTextos
from rendicion.models import (
    Firmante,
    InformeAnual,
    ObjetivoEstrategico,
    SeccionFortalecimiento,
    TerminoGlosario,
)
from rendicion.selectors import informe_del_anio
from rendicion.services import (
    ConflictoDeEdicion,
    informe_contenido,
    informe_crear_desde_anterior,
    informe_huella,
    informe_textos_guardar,
)
from tests.factories import (
    FirmanteFactory,
    InformeAnualFactory,
    ObjetivoEstrategicoFactory,
    SeccionFortalecimientoFactory,
    TerminoGlosarioFactory,
)

ANIO = 2023
XSS = "<script>alert(1)</script>"


def _informe_completo(anio: int, etiqueta: str = "") -> InformeAnual:
    informe = InformeAnualFactory(
        anio=anio,
        antecedentes=f"Antecedentes {etiqueta}".strip(),
        mision=f"Misión {etiqueta}".strip(),
        vision=f"Visión {etiqueta}".strip(),
        telefono="+593 07 2584219",
        correo="casmul@loja.gob.ec",
    )
    ObjetivoEstrategicoFactory(informe=informe, texto=f"Primer objetivo {etiqueta}", orden=1)
    ObjetivoEstrategicoFactory(informe=informe, texto=f"Segundo objetivo {etiqueta}", orden=2)
    TerminoGlosarioFactory(informe=informe, sigla="CDI", significado="Centro de Desarrollo")
    TerminoGlosarioFactory(informe=informe, sigla="GAD", significado="Gobierno Autónomo")
    SeccionFortalecimientoFactory(informe=informe, titulo=f"4.1. Red {etiqueta}", orden=1)
    for orden, rol in enumerate(Firmante.Rol.values, start=1):
        FirmanteFactory(informe=informe, rol=rol, nombre=f"Mgtr. {rol} {etiqueta}", orden=orden)
    return informe


@pytest.fixture
def informe(db):
    return _informe_completo(ANIO)


def _usuario(rol: Rol | None):
    if rol is None:
        return None
    return usuario_con_rol_guardar(
        username=f"u-{rol.name.lower()}", password="clave-de-prueba-1", rol=rol
    )


def _cliente(client, rol: Rol | None):
    usuario = _usuario(rol)
    if usuario is not None:
        client.force_login(usuario)
    return client


def _url_textos(anio: int = ANIO) -> str:
    return reverse("rendicion:textos_editar", kwargs={"anio": anio})


URL_NUEVO = reverse("rendicion:informe_crear")


def _datos(anio: int = ANIO) -> dict:
    """What a browser would submit for the page as it loads now, untouched."""
    edicion = EdicionTextos(informe_del_anio(anio=anio))
    formularios = [edicion.textos, edicion.control]
    for formset in edicion.tablas.values():
        formularios += [formset.management_form, *formset.forms]
    datos = {}
    for formulario in formularios:
        for campo in formulario:
            valor = campo.value()
            if valor is None or valor is False:
                continue
            datos[campo.html_name] = "on" if valor is True else valor
    return datos


def _foto(anio: int = ANIO) -> dict:
    """Everything the page edits, plus the version, to check that nothing was written."""
    informe = InformeAnual.objects.get(anio=anio)
    return {"version": informe.version, **informe_contenido(informe)}


def _contenido(respuesta) -> str:
    return respuesta.content.decode()


# --- Who may use the pages -----------------------------------------------------------------

MATRIZ = [
    pytest.param(None, "login", id="anonimo"),
    pytest.param(Rol.PERSONAL_CENTRO, 403, id="personal-centro"),
    pytest.param(Rol.COORDINACION, "permitido", id="coordinacion"),
    pytest.param(Rol.ADMINISTRACION, "permitido", id="administracion"),
]


def _comprobar_acceso(respuesta, esperado, url_si_permitido, codigo_si_permitido):
    if esperado == "login":
        assert respuesta.status_code == 302
        assert respuesta.url.startswith(reverse("login"))
    elif esperado == 403:
        assert respuesta.status_code == 403
    else:
        assert respuesta.status_code == codigo_si_permitido
        if url_si_permitido:
            assert respuesta.url == url_si_permitido


@pytest.mark.parametrize(("rol", "esperado"), MATRIZ)
def test_texts_page_get_is_for_coordination_and_administration(client, informe, rol, esperado):
    respuesta = _cliente(client, rol).get(_url_textos())

    _comprobar_acceso(respuesta, esperado, None, 200)
    if esperado == "permitido":
        assert "Textos del informe 2023" in _contenido(respuesta)


@pytest.mark.parametrize(("rol", "esperado"), MATRIZ)
def test_texts_page_post_writes_only_for_coordination_and_administration(
    client, informe, rol, esperado
):
    antes = _foto()
    datos = _datos() | {"mision": "Misión enviada por POST"}

    respuesta = _cliente(client, rol).post(_url_textos(), datos)

    _comprobar_acceso(respuesta, esperado, _url_textos(), 302)
    informe.refresh_from_db()
    if esperado == "permitido":
        assert informe.mision == "Misión enviada por POST"
        assert informe.version == antes["version"] + 1
    else:
        assert _foto() == antes


@pytest.mark.parametrize(("rol", "esperado"), MATRIZ)
def test_new_year_page_get_is_for_coordination_and_administration(client, informe, rol, esperado):
    respuesta = _cliente(client, rol).get(URL_NUEVO)

    _comprobar_acceso(respuesta, esperado, None, 200)
    if esperado == "permitido":
        assert "Preparar el informe de un nuevo año" in _contenido(respuesta)


@pytest.mark.parametrize(("rol", "esperado"), MATRIZ)
def test_new_year_post_creates_only_for_coordination_and_administration(
    client, informe, rol, esperado
):
    respuesta = _cliente(client, rol).post(URL_NUEVO, {"anio": 2024})

    _comprobar_acceso(respuesta, esperado, _url_textos(2024), 302)
    assert InformeAnual.objects.filter(anio=2024).exists() == (esperado == "permitido")


@pytest.mark.parametrize("metodo", ["get", "post"])
def test_texts_page_of_a_year_without_report_is_404(client, informe, metodo):
    cliente = _cliente(client, Rol.COORDINACION)

    respuesta = getattr(cliente, metodo)(_url_textos(1999))

    assert respuesta.status_code == 404
    assert InformeAnual.objects.count() == 1


# --- Editing -------------------------------------------------------------------------------


def test_page_shows_the_stored_texts_and_rows_in_order(client, informe):
    contenido = _contenido(_cliente(client, Rol.COORDINACION).get(_url_textos()))

    assert "Misión" in contenido and "Centro de Desarrollo" in contenido
    assert contenido.index("Primer objetivo") < contenido.index("Segundo objetivo")
    for encabezado in ["Objetivos estratégicos", "Glosario", "Firmantes", "(sección 4)"]:
        assert encabezado in contenido


def test_saving_writes_texts_and_every_table(client, informe):
    cliente = _cliente(client, Rol.COORDINACION)
    datos = _datos() | {
        "mision": "Una misión nueva.\r\n\r\nCon dos párrafos.",
        "correo": "rendicion@loja.gob.ec",
        # Objectives: the second one moves to the top, the first is reworded.
        "objetivos-0-texto": "Primer objetivo, reformulado",
        "objetivos-0-ORDER": "2",
        "objetivos-1-ORDER": "1",
        # Glossary: GAD deleted, a new row in the blank one.
        "glosario-1-DELETE": "on",
        "glosario-2-sigla": "MIES",
        "glosario-2-significado": "Ministerio de Inclusión Económica y Social",
        # Section 4: one more subsection, in the blank row.
        "fortalecimiento-1-titulo": "Universidad Nacional de Loja",
        "fortalecimiento-1-texto": "Talleres:\r\n\r\n- Uno\r\n- Dos",
        # Signatories: the approver changes.
        "firmantes-2-nombre": "Mgtr. Nueva Directora",
    }

    respuesta = cliente.post(_url_textos(), datos, follow=True)

    assert respuesta.redirect_chain == [(_url_textos(), 302)]
    assert "Se guardaron los textos del informe 2023." in _contenido(respuesta)
    informe.refresh_from_db()
    assert informe.version == 2
    assert informe.mision == "Una misión nueva.\n\nCon dos párrafos."
    assert informe.correo == "rendicion@loja.gob.ec"
    assert list(informe.objetivos.values_list("texto", "orden")) == [
        ("Segundo objetivo", 1),
        ("Primer objetivo, reformulado", 2),
    ]
    assert list(informe.glosario.values_list("sigla", flat=True)) == ["CDI", "MIES"]
    assert list(informe.fortalecimiento.values_list("titulo", "texto")) == [
        ("4.1. Red", "Primer párrafo.\n\n- Una viñeta"),
        ("Universidad Nacional de Loja", "Talleres:\n\n- Uno\n- Dos"),
    ]
    assert informe.firmantes.get(rol=Firmante.Rol.APROBADO).nombre == "Mgtr. Nueva Directora"
    assert informe.firmantes.count() == 3


def test_saving_twice_in_a_row_works_and_raises_the_version_each_time(client, informe):
    cliente = _cliente(client, Rol.ADMINISTRACION)

    cliente.post(_url_textos(), _datos() | {"vision": "Visión 1"})
    respuesta = cliente.post(_url_textos(), _datos() | {"vision": "Visión 2"})

    assert respuesta.status_code == 302
    informe.refresh_from_db()
    assert (informe.vision, informe.version) == ("Visión 2", 3)


def test_unchanged_tables_keep_their_rows(client, informe):
    ids_antes = set(TerminoGlosario.objects.values_list("pk", flat=True))

    _cliente(client, Rol.COORDINACION).post(_url_textos(), _datos() | {"vision": "Otra"})

    assert set(TerminoGlosario.objects.values_list("pk", flat=True)) == ids_antes


def test_rows_can_swap_siglas_and_roles_without_a_database_error(client, informe):
    datos = _datos() | {
        "glosario-0-sigla": "GAD",
        "glosario-0-significado": "Gobierno Autónomo",
        "glosario-1-sigla": "CDI",
        "glosario-1-significado": "Centro de Desarrollo",
        "firmantes-0-rol": Firmante.Rol.REVISADO,
        "firmantes-1-rol": Firmante.Rol.ELABORADO,
    }

    respuesta = _cliente(client, Rol.COORDINACION).post(_url_textos(), datos)

    assert respuesta.status_code == 302
    assert Firmante.objects.get(rol=Firmante.Rol.REVISADO).nombre == "Mgtr. elaborado"


def test_invalid_input_keeps_what_was_typed_and_writes_nothing(client, informe):
    antes = _foto()
    datos = _datos() | {
        "mision": "",
        "vision": "Una visión escrita con cuidado",
        "correo": "no-es-un-correo",
        "glosario-2-sigla": "NUEVA",
        "glosario-2-significado": "Sigla nueva escrita por el usuario",
        "objetivos-2-texto": "Objetivo nuevo escrito por el usuario",
        "firmantes-1-nombre": "",
    }

    respuesta = _cliente(client, Rol.COORDINACION).post(_url_textos(), datos)

    assert respuesta.status_code == 200
    contenido = _contenido(respuesta)
    assert "No se guardó nada" in contenido
    assert "Este campo es obligatorio." in contenido
    assert "Introduzca una dirección de correo electrónico válida." in contenido
    for escrito in [
        "Una visión escrita con cuidado",
        "no-es-un-correo",
        'value="NUEVA"',
        "Sigla nueva escrita por el usuario",
        "Objetivo nuevo escrito por el usuario",
    ]:
        assert escrito in contenido
    assert _foto() == antes


def test_error_is_shown_next_to_its_field(client, informe):
    respuesta = _cliente(client, Rol.COORDINACION).post(_url_textos(), _datos() | {"mision": ""})

    edicion = respuesta.context["edicion"]
    assert edicion.textos.errors == {"mision": ["Este campo es obligatorio."]}
    assert 'id="id_mision_error"' in _contenido(respuesta)


def test_repeated_sigla_is_a_form_error_not_a_database_error(client, informe):
    antes = _foto()
    datos = _datos() | {"glosario-2-sigla": "cdi", "glosario-2-significado": "Repetida"}

    respuesta = _cliente(client, Rol.COORDINACION).post(_url_textos(), datos)

    assert respuesta.status_code == 200
    glosario = respuesta.context["edicion"].tablas["glosario"]
    assert glosario.forms[2].errors == {"sigla": ["La sigla «cdi» está repetida en el glosario."]}
    assert "La sigla «cdi» está repetida en el glosario." in _contenido(respuesta)
    assert _foto() == antes


def test_two_signatories_with_the_same_role_is_a_form_error(client, informe):
    antes = _foto()
    datos = _datos() | {"firmantes-2-rol": Firmante.Rol.ELABORADO}

    respuesta = _cliente(client, Rol.COORDINACION).post(_url_textos(), datos)

    assert respuesta.status_code == 200
    assert "Ya hay otro firmante con el rol «Elaborado»." in _contenido(respuesta)
    assert _foto() == antes


def test_deleted_row_with_invalid_data_does_not_block_the_save(client, informe):
    datos = _datos() | {"glosario-1-DELETE": "on", "glosario-1-sigla": ""}

    respuesta = _cliente(client, Rol.COORDINACION).post(_url_textos(), datos)

    assert respuesta.status_code == 302
    assert list(informe.glosario.values_list("sigla", flat=True)) == ["CDI"]


# --- Two people editing at once ------------------------------------------------------------


def _guardar_como_otra_persona(anio: int = ANIO, **textos) -> None:
    informe = informe_del_anio(anio=anio)
    contenido = informe_contenido(informe)
    informe_textos_guardar(
        informe=informe,
        version=informe.version,
        huella=informe_huella(contenido),
        textos=contenido["textos"] | textos,
        **{tabla: contenido[tabla] for tabla in ["objetivos", "glosario", "fortalecimiento"]},
        firmantes=contenido["firmantes"],
    )


def test_stale_save_is_refused_naming_what_changed_and_writes_nothing(client, informe):
    cliente = _cliente(client, Rol.COORDINACION)
    abierto = _datos()  # the page as this user opened it
    _guardar_como_otra_persona(mision="Misión de la otra persona")
    despues_de_la_otra = _foto()

    respuesta = cliente.post(
        _url_textos(),
        abierto
        | {"vision": "Mi visión", "mision": "Mi misión", "glosario-2-sigla": "MIA"}
        | {"glosario-2-significado": "Mi sigla"},
    )

    assert respuesta.status_code == 409
    contenido = _contenido(respuesta)
    assert "No se guardó nada: otra persona guardó este informe" in contenido
    assert "Cambió: Misión." in contenido
    assert "usted también lo modificó" in contenido
    assert "Misión de la otra persona" in contenido  # what is stored now, to compare
    assert "Mi visión" in contenido and 'value="MIA"' in contenido  # the user's input is kept
    assert _foto() == despues_de_la_otra


def test_after_a_conflict_saving_again_replaces_the_stored_version(client, informe):
    cliente = _cliente(client, Rol.COORDINACION)
    abierto = _datos()
    _guardar_como_otra_persona(mision="Misión de la otra persona")
    conflicto = cliente.post(_url_textos(), abierto | {"mision": "Mi misión"})
    control = conflicto.context["edicion"].control

    # The re-rendered page starts from the stored version: a second, informed save goes through.
    respuesta = cliente.post(
        _url_textos(),
        abierto
        | {"mision": "Mi misión", "version": control["version"].value()}
        | {"huella": control["huella"].value()},
    )

    assert respuesta.status_code == 302
    informe.refresh_from_db()
    assert (informe.mision, informe.version) == ("Mi misión", 3)


def test_change_made_elsewhere_without_a_new_version_is_also_refused(client, informe):
    # The admin edits rows without raising the version; the fingerprint still sees it.
    cliente = _cliente(client, Rol.COORDINACION)
    abierto = _datos()
    TerminoGlosario.objects.filter(sigla="GAD").update(significado="Cambiado en el admin")
    antes = _foto()

    respuesta = cliente.post(_url_textos(), abierto | {"vision": "Mi visión"})

    assert respuesta.status_code == 409
    assert "Cambió: Glosario." in _contenido(respuesta)
    assert "GAD: Cambiado en el admin" in _contenido(respuesta)
    assert _foto() == antes


def test_service_refuses_an_old_version_and_writes_nothing(informe):
    contenido = informe_contenido(informe)
    huella = informe_huella(contenido)
    InformeAnual.objects.filter(pk=informe.pk).update(version=5)
    antes = _foto()

    with pytest.raises(ConflictoDeEdicion) as error:
        informe_textos_guardar(
            informe=informe,
            version=1,
            huella=huella,
            textos=contenido["textos"] | {"mision": "No debe guardarse"},
            objetivos=[],
            glosario=[],
            fortalecimiento=[],
            firmantes=[],
        )

    assert error.value.version_actual == 5
    assert _foto() == antes


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks between connections: PostgreSQL"
)
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_saves_from_the_same_version_only_one_wins():
    informe = _informe_completo(ANIO)
    contenido = informe_contenido(informe)
    huella = informe_huella(contenido)
    salida = threading.Barrier(2)
    resultados = []

    def guardar(mision):
        try:
            salida.wait()
            informe_textos_guardar(
                informe=informe,
                version=1,
                huella=huella,
                textos=contenido["textos"] | {"mision": mision},
                **{tabla: contenido[tabla] for tabla in ["objetivos", "glosario"]},
                fortalecimiento=contenido["fortalecimiento"],
                firmantes=contenido["firmantes"],
            )
            resultados.append(("guardado", mision))
        except ConflictoDeEdicion:
            resultados.append(("rechazado", mision))
        finally:
            connection.close()

    hilos = [threading.Thread(target=guardar, args=(m,)) for m in ["Misión A", "Misión B"]]
    for hilo in hilos:
        hilo.start()
    for hilo in hilos:
        hilo.join()

    assert sorted(estado for estado, _ in resultados) == ["guardado", "rechazado"]
    ganadora = next(mision for estado, mision in resultados if estado == "guardado")
    informe.refresh_from_db()
    assert (informe.mision, informe.version) == (ganadora, 2)


# --- A new year ----------------------------------------------------------------------------


def test_new_year_copies_everything_from_the_closest_earlier_year(client, informe):
    _informe_completo(2021, etiqueta="de 2021")
    antes = _foto()
    ids_antes = {
        modelo: set(modelo.objects.filter(informe=informe).values_list("pk", flat=True))
        for modelo in [ObjetivoEstrategico, TerminoGlosario, SeccionFortalecimiento, Firmante]
    }

    respuesta = _cliente(client, Rol.COORDINACION).post(URL_NUEVO, {"anio": 2024}, follow=True)

    assert respuesta.redirect_chain == [(_url_textos(2024), 302)]
    assert "Se creó el informe 2024 con una copia de los textos de 2023." in _contenido(respuesta)
    nuevo = InformeAnual.objects.get(anio=2024)
    assert nuevo.version == 1
    assert informe_contenido(nuevo) == informe_contenido(informe)
    assert list(nuevo.objetivos.values_list("orden", flat=True)) == [1, 2]
    # The year copied from is left exactly as it was.
    assert _foto() == antes
    for modelo, ids in ids_antes.items():
        assert set(modelo.objects.filter(informe=informe).values_list("pk", flat=True)) == ids


def test_new_year_between_two_years_copies_the_earlier_one(informe):
    _informe_completo(2021, etiqueta="de 2021")

    nuevo = informe_crear_desde_anterior(anio=2022)

    assert nuevo.mision == "Misión de 2021"
    assert list(nuevo.glosario.values_list("sigla", flat=True)) == ["CDI", "GAD"]


def test_new_year_without_an_earlier_report_starts_empty_and_says_so(client, informe):
    cliente = _cliente(client, Rol.COORDINACION)

    respuesta = cliente.post(URL_NUEVO, {"anio": 2019}, follow=True)

    assert (
        "Se creó el informe 2019 con los textos vacíos: no hay un informe anterior"
        in _contenido(respuesta)
    )
    nuevo = InformeAnual.objects.get(anio=2019)
    assert (nuevo.antecedentes, nuevo.mision, nuevo.direccion) == ("", "", "")
    assert not nuevo.objetivos.exists() and not nuevo.firmantes.exists()


def test_new_year_form_says_when_the_texts_will_be_empty(client, db):
    respuesta = _cliente(client, Rol.COORDINACION).get(URL_NUEVO)

    assert "Todavía no hay ningún informe: el nuevo empezará con los textos vacíos." in (
        _contenido(respuesta)
    )


def test_new_year_form_says_which_year_it_will_copy(client, informe):
    respuesta = _cliente(client, Rol.COORDINACION).post(URL_NUEVO, {"anio": "abc"})

    assert respuesta.status_code == 200
    assert "Introduzca un número entero." in _contenido(respuesta)
    respuesta = client.get(URL_NUEVO)
    assert "El informe 2024 empezará con una copia de los textos de 2023." in _contenido(respuesta)


def test_existing_year_is_refused_with_a_form_error(client, informe):
    antes = _foto()

    respuesta = _cliente(client, Rol.COORDINACION).post(URL_NUEVO, {"anio": ANIO})

    assert respuesta.status_code == 200
    contenido = _contenido(respuesta)
    assert "Ya existe el informe de 2023; edite sus textos en lugar de crearlo." in contenido
    assert _url_textos() in contenido
    assert InformeAnual.objects.count() == 1
    assert _foto() == antes


def test_service_refuses_an_existing_year(informe):
    with pytest.raises(ValidationError, match="Ya existe el informe de 2023"):
        informe_crear_desde_anterior(anio=ANIO)
    assert InformeAnual.objects.count() == 1


# --- Output safety and cost ----------------------------------------------------------------


def test_user_text_is_shown_escaped(client, informe):
    InformeAnual.objects.filter(pk=informe.pk).update(mision=XSS)
    TerminoGlosario.objects.filter(sigla="CDI").update(significado=XSS)
    Firmante.objects.filter(rol=Firmante.Rol.ELABORADO).update(nombre=XSS)

    contenido = _contenido(_cliente(client, Rol.COORDINACION).get(_url_textos()))

    assert XSS not in contenido
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in contenido


def test_conflict_shows_the_stored_text_escaped(client, informe):
    cliente = _cliente(client, Rol.COORDINACION)
    abierto = _datos()
    _guardar_como_otra_persona(vision=XSS)

    contenido = _contenido(cliente.post(_url_textos(), abierto))

    assert XSS not in contenido
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in contenido


@pytest.mark.parametrize("filas", [5, 50])
def test_page_query_count_does_not_grow_with_glossary_rows(
    client, db, filas, django_assert_max_num_queries
):
    informe = _informe_completo(ANIO)
    TerminoGlosarioFactory.create_batch(filas, informe=informe)
    cliente = _cliente(client, Rol.COORDINACION)

    # Session, user, roles, the navigation's count, the report and its four tables: the same
    # for 5 rows as for 50.
    with django_assert_max_num_queries(9):
        respuesta = cliente.get(_url_textos())

    assert respuesta.status_code == 200
