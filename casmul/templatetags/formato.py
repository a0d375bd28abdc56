from django import template

from casmul import formato

register = template.Library()

register.filter("numero", formato.numero)
register.filter("dinero", formato.dinero)
# {{ fila.valor|cifra:fila.es_monetaria }}: money or a count, as the figure's kind says.
register.filter("cifra", formato.cifra)
register.filter("porcentaje", formato.porcentaje)
register.filter("diferencia", formato.diferencia)
register.filter("diferencia_dinero", formato.diferencia_dinero)
register.filter("variacion", formato.variacion)
