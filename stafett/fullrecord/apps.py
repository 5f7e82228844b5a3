from django.apps import AppConfig


class FullRecordConfig(AppConfig):
    name = "stafett.fullrecord"
    label = "fullrecord"
    verbose_name = "A child's full record on request"
