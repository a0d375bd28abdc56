from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from casmul.versiones import calculado

from ..selectors import centro_visible, pagina_del_centro


@login_required
@require_safe
def centro(request, centro_id: int):
    # Staff see their own centres only: another centre's page is a 404, not a 403.
    if not centro_visible(centro_id=centro_id, usuario=request.user):
        raise Http404("No existe ese centro.")
    # The same page for everyone who may see it: kept once, for every year it shows.
    pagina = calculado(
        "centro",
        lambda: pagina_del_centro(centro_id=centro_id, usuario=request.user),
        anios=None,
        partes=(centro_id,),
    )
    return render(request, "rendicion/centro.html", {"pagina": pagina})
