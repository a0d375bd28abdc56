from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from ..selectors import pagina_del_centro


@login_required
@require_safe
def centro(request, centro_id: int):
    # Staff see their own centres only: another centre's page is a 404, not a 403.
    pagina = pagina_del_centro(centro_id=centro_id, usuario=request.user)
    if pagina is None:
        raise Http404("No existe ese centro.")
    return render(request, "rendicion/centro.html", {"pagina": pagina})
