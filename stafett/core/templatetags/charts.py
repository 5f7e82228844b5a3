"""`{% load charts %}`: `{% bar_chart chart title %}` draws a chart of
stafett/lib/charts.py as inline SVG (the leadership view, survey results)."""

from django import template

from stafett.lib import charts

register = template.Library()


@register.simple_tag
def bar_chart(chart: charts.Chart, title: str):
    return charts.svg(chart, title)
