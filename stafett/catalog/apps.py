from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "stafett.catalog"
    label = "catalog"
    verbose_name = "Catalogue of measures"
