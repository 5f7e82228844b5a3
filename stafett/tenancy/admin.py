"""The Django admin is for system operators: municipalities, services and who
works where. Children's data is deliberately not registered here."""

from django.contrib import admin
from django.db import transaction

from .models import Membership, Municipality, MunicipalityRole, Service


class ServiceInline(admin.TabularInline):
    model = Service
    extra = 0


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["name", "number", "require_two_factor"]
    search_fields = ["name", "number"]
    inlines = [ServiceInline]


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "municipality"]
    list_filter = ["kind", "municipality"]
    search_fields = ["name"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "service", "role", "active", "municipality"]
    exclude = ["municipality"]
    list_filter = ["role", "active", "municipality"]
    autocomplete_fields = ["user", "service"]

    def save_model(self, request, obj, form, change):
        # The municipality always follows the service, so the scope stays true.
        obj.municipality_id = obj.service.municipality_id
        super().save_model(request, obj, form, change)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)

        class GuardedForm(form):
            def clean(self):
                data = super().clean()
                # A holder may not leave a service while holding its relays.
                if self.instance.pk and self.instance.active and not data.get("active", True):
                    from django.core.exceptions import ValidationError

                    from .actions import deactivate_membership

                    try:
                        with transaction.atomic():
                            deactivate_membership(self.instance)
                            transaction.set_rollback(True)
                    except ValidationError as error:
                        raise ValidationError(error.messages) from None
                return data

        return form

    def has_delete_permission(self, request, obj=None):
        # Memberships are deactivated, never deleted: the history must stay.
        return False


@admin.register(MunicipalityRole)
class MunicipalityRoleAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "municipality"]
    list_filter = ["role", "municipality"]
    autocomplete_fields = ["user"]
